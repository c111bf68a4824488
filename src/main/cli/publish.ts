// `tandem publish`: encode once (one ffmpeg), fan out through the pipeline (pipeline/media-session.ts:
// one encoder group, the shared audio, the PacketBus) to every destination.
// Exit 0 when every destination stayed live for the whole run; otherwise one line per failed
// destination on stderr (redacted) and a non-zero code. Ctrl-C / SIGTERM stop cleanly: the encoder
// flushes, every output says goodbye, the recording is finalised.
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import type { Codec } from '../protocol/media';
import type { SourceSpec } from '../encoder/args';
import { listFilters, resolveFfmpeg, type FfmpegInfo } from '../encoder/ffmpeg-path';
import { runCapture } from '../encoder/process';
import { MediaSession } from '../pipeline/media-session';
import { CODECS, createOutput, describeSpec, outputAvailable } from '../outputs/factory';
import { TandemError } from '../../shared/errors';
import { PUBLISH_USAGE, type PublishPlan, UsageError, parsePublishArgs } from './publish-args';
import { Destination } from './publish-session';

const READY_TIMEOUT_MS = 20_000;
const err = (line: string): void => void process.stderr.write(`${line}\n`);

export async function runPublish(args: string[]): Promise<number> {
  let plan: PublishPlan;
  try {
    plan = parsePublishArgs(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`tandem publish: ${e.message}\n${PUBLISH_USAGE}`);
    return 2;
  }
  if (plan.help) {
    process.stdout.write(PUBLISH_USAGE);
    return 0;
  }
  if (plan.outputs.length === 0) {
    err(`tandem publish: nothing to do: give --rtmp, --whip or --record\n${PUBLISH_USAGE}`);
    return 2;
  }
  const missing = plan.outputs.filter((o) => !outputAvailable(o.kind));
  if (missing.length) {
    for (const o of missing) err(`tandem publish: ${describeSpec(o)}: ${o.kind.toUpperCase()} output not available yet`);
    return 1;
  }
  let ffmpeg: FfmpegInfo;
  try {
    ffmpeg = await resolveFfmpeg();
  } catch (e) {
    err(`tandem publish: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  let source: SourceSpec;
  try {
    source = await resolveSource(plan, ffmpeg.path);
  } catch (e) {
    err(`tandem publish: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  return publish(plan, ffmpeg, source);
}

async function resolveSource(plan: PublishPlan, ffmpeg: string): Promise<SourceSpec> {
  const s = plan.source;
  if (s.kind !== 'file') return s;
  if (!existsSync(s.path)) throw new TandemError('invalid-file', `source file not found: ${s.path}`);
  const probe = await runCapture(ffmpeg, ['-hide_banner', '-i', s.path], 15_000);
  if (!/Stream #\d+:\d+.*: Video:/.test(probe.stderr)) throw new TandemError('invalid-file', `no video stream in ${s.path}`);
  return { kind: 'file', path: s.path, hasAudio: /Stream #\d+:\d+.*: Audio:/.test(probe.stderr) };
}

async function publish(plan: PublishPlan, ffmpeg: FfmpegInfo, source: SourceSpec): Promise<number> {
  const codecs = new Set<Codec>(plan.outputs.flatMap((o) => CODECS[o.kind]));
  const hasWhip = plan.outputs.some((o) => o.kind === 'whip');
  const session = new MediaSession({
    ffmpegPath: ffmpeg.path,
    video: {
      width: plan.width,
      height: plan.height,
      fps: plan.fps,
      videoBitrateKbps: plan.videoBitrateKbps,
      audioBitrateKbps: plan.audioBitrateKbps,
      keyintSec: plan.keyintSec,
      // WebRTC receivers universally decode constrained baseline; RTMP/recording get High.
      profile: hasWhip ? 'baseline' : 'high',
      encoder: 'libx264',
    },
    source: {
      kind: 'native',
      source,
      codecs: [...codecs].filter((c) => c === 'aac' || c === 'opus'),
      drawtext: source.kind === 'testsrc' && (await listFilters(ffmpeg.path)).has('drawtext'),
      ...(plan.durationSec === undefined ? {} : { durationSec: plan.durationSec }),
    },
  });
  const dests: Destination[] = [];
  for (const spec of plan.outputs) {
    const d = new Destination(spec, createOutput(spec, { ffmpegPath: ffmpeg.path, videoBitrateKbps: plan.videoBitrateKbps, audioBitrateKbps: plan.audioBitrateKbps }));
    dests.push(d);
    session.addOutput(d.output.id, d.output, { codecs: CODECS[spec.kind] });
  }
  const byId = new Map(dests.map((d) => [d.output.id, d]));
  const offs: (() => void)[] = [session.on('outputError', (id, e) => byId.get(id)?.fail(e.message))];

  let stats: WriteStream | undefined;
  const t0 = performance.now();
  if (plan.statsFile) {
    stats = createWriteStream(plan.statsFile, { flags: 'a' });
    stats.on('error', (e) => err(`tandem publish: --stats ${plan.statsFile}: ${e.message}`));
  }
  const statsTimer = setInterval(() => {
    const t = (performance.now() - t0) / 1000;
    for (const d of dests) stats?.write(`${d.statsLine(t)}\n`);
  }, 1000);

  // Wait for: the encoder ending (duration reached) or failing, a signal, or a watchdog.
  let encoderError: string | undefined;
  let interrupted: NodeJS.Signals | undefined;
  let wake: () => void = () => undefined;
  const finished = new Promise<void>((r) => (wake = r));
  offs.push(
    session.on('ended', () => wake()),
    session.on('encoderError', (e) => {
      encoderError ??= e.message;
      wake();
    }),
  );
  const onSignal = (sig: NodeJS.Signals): void => {
    if (interrupted) {
      void session.close(); // second Ctrl-C: stop waiting
      wake();
      return;
    }
    interrupted = sig;
    wake();
  };
  const onInt = (): void => onSignal('SIGINT');
  const onTerm = (): void => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const readyTimer = setTimeout(() => {
    if (session.groupStats().every((g) => g.frames === 0)) {
      encoderError ??= `the encoder produced no video within ${READY_TIMEOUT_MS / 1000} s`;
      wake();
    }
  }, READY_TIMEOUT_MS);
  const watchdog = plan.durationSec === undefined ? undefined : setTimeout(() => wake(), plan.durationSec * 1000 + READY_TIMEOUT_MS);

  try {
    await finished;
    // Judge "stayed live" before stopping (stop() moves states to stopping/stopped).
    for (const d of dests) if (d.state !== 'live' && !d.failure) d.fail(d.everLive ? `not live at the end (${d.state})` : `never went live (${d.state})`);
    await session.close();
  } finally {
    clearInterval(statsTimer);
    clearTimeout(readyTimer);
    if (watchdog) clearTimeout(watchdog);
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    for (const off of offs) off();
    for (const d of dests) d.close();
    await session.close();
    if (stats) await new Promise<void>((r) => stats!.end(() => r()));
  }

  let failed = 0;
  if (encoderError) {
    err(`tandem publish: encoder: ${encoderError}`);
    failed++;
  }
  for (const d of dests) {
    if (!d.failure || encoderError) continue;
    err(`tandem publish: ${d.label}: ${d.failure}`);
    failed++;
  }
  if (failed) return 1;
  if (interrupted && plan.durationSec !== undefined) return interrupted === 'SIGINT' ? 130 : 143;
  return 0;
}
