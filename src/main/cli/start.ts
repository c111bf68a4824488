// `tandem start`: the studio window where Electron is installed, browser mode where it is not
// (offline installs, CI, servers). `tandem serve`: browser mode only.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { createDispatcher } from '../../shared/rpc';
import { startControlServer } from '../control/server';
import { Studio } from '../studio/studio';
import { defaultDataDir } from '../studio/scene-store';
import { EncryptedFileSecretStore } from '../studio/secret-store';
import { ChildProc } from '../encoder/process';
import { ObsWebSocketController } from '../control/obs-websocket';
import { ProgramPicture } from '../studio/program-picture';
import type { ObsWebSocketOverride } from '../studio/remote-control';

/** Where `tandem serve` takes the obs-websocket password from when no flag gives it (out of `ps`). */
export const OBS_PASSWORD_ENV = 'TANDEM_OBS_WEBSOCKET_PASSWORD';

/** Path of the Electron binary if the electron package and its download are both present. */
export function findElectronBinary(): string | undefined {
  try {
    const req = createRequire(join(process.cwd(), 'package.json'));
    const pkg = req.resolve('electron/package.json');
    const dir = dirname(pkg);
    const pathTxt = join(dir, 'path.txt');
    if (!existsSync(pathTxt)) return undefined;
    const bin = join(dir, 'dist', readFileSync(pathTxt, 'utf8').trim());
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

/** The built renderer: next to this file in out/, or out/renderer under the working folder. */
export function findRendererDir(): string | undefined {
  const candidates = [
    process.env.TANDEM_RENDERER_DIR,
    join(__dirname, '../renderer'),
    resolve(process.cwd(), 'out/renderer'),
  ];
  return candidates.find((d): d is string => !!d && existsSync(join(d, 'index.html')));
}

export interface ServeFlags {
  port: number | undefined;
  open: boolean;
  /** Set when any --obs-websocket-* flag is given: the endpoint runs for this run as they say. */
  obsWebSocket: ObsWebSocketOverride | undefined;
}

const portArg = (flag: string, v: string | undefined, min: number): number => {
  const n = Number(v);
  if (v === undefined || !Number.isInteger(n) || n < min || n > 65535) throw new Error(`${flag} takes a number from ${min} to 65535`);
  return n;
};

/**
 * `tandem serve [--port N] [--obs-websocket-port N] [--obs-websocket-password P]
 * [--obs-websocket-lan]`. Without --obs-websocket-password the password comes from
 * $TANDEM_OBS_WEBSOCKET_PASSWORD, else the one saved in Settings (created if there is none).
 */
export function parseServeFlags(args: string[], env: NodeJS.ProcessEnv = process.env): ServeFlags {
  const flags: ServeFlags = { port: undefined, open: false, obsWebSocket: undefined };
  const obs = (): ObsWebSocketOverride => (flags.obsWebSocket ??= {});
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--port') {
      flags.port = portArg('--port', args[++i], 0);
    } else if (a === '--obs-websocket-port') {
      obs().port = portArg(a, args[++i], 1);
    } else if (a === '--obs-websocket-password') {
      const v = args[++i];
      if (v === undefined) throw new Error(`--obs-websocket-password takes a password (or set ${OBS_PASSWORD_ENV} to keep it out of the process list)`);
      obs().password = v;
    } else if (a === '--obs-websocket-lan') {
      obs().lan = true;
    } else if (a === '--browser') {
      flags.open = true;
    } else {
      throw new Error(`unknown option '${a}'`);
    }
  }
  const o = flags.obsWebSocket;
  if (o && o.password === undefined && env[OBS_PASSWORD_ENV] !== undefined) o.password = env[OBS_PASSWORD_ENV];
  if (o?.lan && o.password === '') throw new Error('--obs-websocket-lan needs a password');
  return flags;
}

export async function runStart(args: string[]): Promise<number> {
  const forceBrowser = args.includes('--browser') || process.env.TANDEM_BROWSER_MODE === '1';
  const electron = forceBrowser ? undefined : findElectronBinary();
  if (electron) {
    const appRoot = resolve(__dirname, '../..');
    const child = new ChildProc(electron, [appRoot], { stdio: ['inherit', 'inherit', 'inherit'] });
    const exit = await child.exited;
    return exit.code ?? 0;
  }
  return runServe(args.filter((a) => a !== '--browser'), !forceBrowser);
}

export async function runServe(args: string[], explainNoElectron = false): Promise<number> {
  const flags = parseServeFlags(args);
  const staticDir = findRendererDir();
  if (!staticDir) throw new Error('the studio UI is not built: run `npm run build` first');
  const dataDir = defaultDataDir();
  const studio = new Studio({ mode: 'browser', dataDir, secrets: new EncryptedFileSecretStore(dataDir), ...(flags.obsWebSocket ? { obsWebSocket: flags.obsWebSocket } : {}) });
  await studio.load();
  if (studio.loadProblem) process.stderr.write(`tandem: some saved settings were not loaded: ${studio.loadProblem}\n`);
  const pictures = new ProgramPicture({ demand: (wanted) => studio.wantProgramPicture(wanted) });
  const obs = new ObsWebSocketController(studio, pictures);
  const obsStatus = await obs.start();
  if (flags.obsWebSocket && !obsStatus.running) {
    await obs.shutdown();
    await studio.close();
    throw new Error(`the obs-websocket server could not start: ${obsStatus.error ?? 'unknown reason'}`);
  }
  const server = await startControlServer({
    dispatch: createDispatcher(studio),
    events: studio,
    media: pictures.tap(studio),
    staticDir,
    mediaDir: join(dataDir, 'media'),
    ...(flags.port !== undefined ? { port: flags.port } : {}),
  });
  const why = explainNoElectron
    ? 'Electron is not installed here, so the studio runs in browser mode'
    : 'Tandem Studio is running in browser mode';
  process.stdout.write(`${why}: open this URL in Chromium, Chrome, Edge or Firefox (it carries this run's access token):\n${server.url}\n`);
  if (obsStatus.running) {
    // Never the password: it is in Settings (or the flag / variable that gave it).
    process.stdout.write(`obs-websocket 5 server for Stream Deck, Companion and other tools: ${obsStatus.urls.join(', ')}${obsStatus.authRequired ? ' (password required)' : ''}\n`);
  } else if (obsStatus.enabled && obsStatus.error) {
    process.stderr.write(`tandem: the obs-websocket server could not start: ${obsStatus.error}\n`);
  }
  await new Promise<void>((res) => {
    const stop = () => res();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await obs.shutdown(); // ExitStarted to connected tools first
  pictures.close();
  await server.close();
  await studio.close();
  return 0;
}
