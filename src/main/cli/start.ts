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

interface ServeFlags {
  port: number | undefined;
  open: boolean;
}

function parseServeFlags(args: string[]): ServeFlags {
  const flags: ServeFlags = { port: undefined, open: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--port') {
      const v = Number(args[++i]);
      if (!Number.isInteger(v) || v < 0 || v > 65535) throw new Error('--port takes a number from 0 to 65535');
      flags.port = v;
    } else if (a === '--browser') {
      flags.open = true;
    } else {
      throw new Error(`unknown option '${a}'`);
    }
  }
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
  const studio = new Studio({ mode: 'browser', dataDir, secrets: new EncryptedFileSecretStore(dataDir) });
  await studio.load();
  if (studio.loadProblem) process.stderr.write(`tandem: some saved settings were not loaded: ${studio.loadProblem}\n`);
  const server = await startControlServer({
    dispatch: createDispatcher(studio),
    events: studio,
    media: studio,
    staticDir,
    mediaDir: join(dataDir, 'media'),
    ...(flags.port !== undefined ? { port: flags.port } : {}),
  });
  const why = explainNoElectron
    ? 'Electron is not installed here, so the studio runs in browser mode'
    : 'Tandem Studio is running in browser mode';
  process.stdout.write(`${why}: open this URL in Chromium, Chrome, Edge or Firefox (it carries this run's access token):\n${server.url}\n`);
  await new Promise<void>((res) => {
    const stop = () => res();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  studio.close();
  return 0;
}
