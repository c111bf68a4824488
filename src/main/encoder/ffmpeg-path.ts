// Which ffmpeg we run, in order: $TANDEM_FFMPEG → ffmpeg-static's binary (optional dependency;
// inside a packaged Electron app the path is rewritten app.asar → app.asar.unpacked, because a
// binary cannot execute from inside the archive) → `ffmpeg` on PATH. The first that answers
// `-version` wins; when none does, one TandemError('ffmpeg-missing') names all three.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { TandemError } from '../../shared/errors';
import { runCapture } from './process';

export type FfmpegSource = 'env' | 'ffmpeg-static' | 'path';

export interface FfmpegCandidate {
  source: FfmpegSource;
  path: string;
}

export interface FfmpegInfo extends FfmpegCandidate {
  /** "5.1.9-0+deb12u1" */
  version: string;
}

export const ENV_VAR = 'TANDEM_FFMPEG';

/** Inside app.asar a binary cannot run; electron-builder unpacks it next to the archive. */
export function asarUnpacked(p: string): string {
  return p.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

/** ffmpeg-static's binary path if the package and its downloaded binary are present. */
export function staticFfmpegPath(platform: NodeJS.Platform = process.platform): string | undefined {
  let pkg: string;
  try {
    const req = typeof require === 'function' ? require : createRequire(join(process.cwd(), 'index.js'));
    pkg = req.resolve('ffmpeg-static/package.json');
  } catch {
    return undefined;
  }
  const bin = asarUnpacked(join(dirname(pkg), platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg'));
  return existsSync(bin) ? bin : undefined;
}

/** The candidates in order (pure given its inputs). */
export function ffmpegCandidates(env: NodeJS.ProcessEnv, staticPath: string | undefined, platform: NodeJS.Platform = process.platform): FfmpegCandidate[] {
  const list: FfmpegCandidate[] = [];
  const fromEnv = env[ENV_VAR];
  if (fromEnv && fromEnv.trim()) list.push({ source: 'env', path: fromEnv.trim() });
  if (staticPath) list.push({ source: 'ffmpeg-static', path: staticPath });
  list.push({ source: 'path', path: platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg' });
  return list;
}

/** "ffmpeg version 5.1.9-0+deb12u1 Copyright ..." → "5.1.9-0+deb12u1". */
export function parseFfmpegVersion(output: string): string | undefined {
  return /ffmpeg version (\S+)/.exec(output)?.[1];
}

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  staticPath?: string | undefined;
  platform?: NodeJS.Platform;
}

let cached: Promise<FfmpegInfo> | undefined;

/** Resolve once per process (the default options); pass options to bypass the cache. */
export function resolveFfmpeg(opts?: ResolveOptions): Promise<FfmpegInfo> {
  if (opts) return resolveUncached(opts);
  cached ??= resolveUncached({});
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}

async function resolveUncached(opts: ResolveOptions): Promise<FfmpegInfo> {
  const env = opts.env ?? process.env;
  const staticPath = 'staticPath' in opts ? opts.staticPath : staticFfmpegPath(opts.platform);
  const tried: string[] = [];
  for (const c of ffmpegCandidates(env, staticPath, opts.platform)) {
    const r = await runCapture(c.path, ['-hide_banner', '-version'], 10_000, env);
    const version = r.code === 0 ? parseFfmpegVersion(r.stdout) : undefined;
    if (version) return { ...c, version };
    const why = r.error ? (r.error as NodeJS.ErrnoException).code ?? r.error.message : `exit ${r.code ?? r.signal}`;
    tried.push(`${label(c.source)} (${c.path}: ${why})`);
  }
  const skipped: string[] = [];
  if (!env[ENV_VAR]) skipped.push(`$${ENV_VAR} (not set)`);
  if (!staticPath) skipped.push('ffmpeg-static (not installed or binary not downloaded)');
  throw new TandemError(
    'ffmpeg-missing',
    `no working ffmpeg found; tried ${[...tried, ...skipped].join(', ')}. Set ${ENV_VAR} to an ffmpeg binary, install ffmpeg-static, or put ffmpeg on PATH.`,
  );
}

function label(s: FfmpegSource): string {
  return s === 'env' ? `$${ENV_VAR}` : s === 'ffmpeg-static' ? 'ffmpeg-static' : 'ffmpeg on PATH';
}

export const DOCTOR_ENCODERS = ['libx264', 'h264_nvenc', 'h264_qsv', 'h264_vaapi', 'h264_videotoolbox', 'h264_amf', 'libopus', 'aac'] as const;

/** Names from `ffmpeg -encoders` output (" V....D libx264  libx264 H.264 ..."). */
export function parseEncoderList(output: string): Set<string> {
  const names = new Set<string>();
  for (const line of output.split('\n')) {
    const m = /^\s*[VAS][A-Z.]{5}\s+(\S+)/.exec(line);
    if (m?.[1]) names.add(m[1]);
  }
  return names;
}

/** Filter names from `ffmpeg -filters` output (" T.C drawtext  V->V  ..."). */
export function parseFilterList(output: string): Set<string> {
  const names = new Set<string>();
  for (const line of output.split('\n')) {
    const m = /^\s*[T.][S.][C.]\s+(\S+)/.exec(line);
    if (m?.[1]) names.add(m[1]);
  }
  return names;
}

export async function listEncoders(ffmpeg: string): Promise<Set<string>> {
  const r = await runCapture(ffmpeg, ['-hide_banner', '-encoders'], 10_000);
  return parseEncoderList(r.stdout);
}

const filterCache = new Map<string, Promise<Set<string>>>();

export function listFilters(ffmpeg: string): Promise<Set<string>> {
  let p = filterCache.get(ffmpeg);
  if (!p) {
    p = runCapture(ffmpeg, ['-hide_banner', '-filters'], 10_000).then((r) => parseFilterList(r.stdout));
    filterCache.set(ffmpeg, p);
  }
  return p;
}
