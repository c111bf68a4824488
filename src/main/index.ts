// Electron lifecycle and windows only (docs/ARCHITECTURE.md): everything below this file is Electron-free.
// Security defaults: contextIsolation, sandbox, no nodeIntegration, strict CSP, navigation and
// window.open denied, IPC calls checked against our own frame.
import { app, BrowserWindow, desktopCapturer, ipcMain, safeStorage, session, shell } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createDispatcher } from '../shared/rpc';
import { registerIpc, type IpcInvokeEventLike } from './control/ipc';
import { externalLinkGuard, permissionHandlers } from './control/ipc-permissions';
import { displayPicker, type DisplayPicker } from './control/ipc-picker';
import presets from '../../resources/presets.json';
import { Studio } from './studio/studio';
import { SafeStorageSecretStore } from './studio/secret-store';
import { ProgramPicture } from './studio/program-picture';
import { ObsWebSocketController } from './control/obs-websocket';
import type { MediaEndpoint } from '../shared/media-wire';

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob: mediastream: file:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
const devUrl = process.env.ELECTRON_RENDERER_URL;
const indexFile = join(__dirname, '../renderer/index.html');

function isTrustedUrl(url: string): boolean {
  if (devUrl && url.startsWith(devUrl)) return true;
  return url.split(/[?#]/)[0] === pathToFileURL(indexFile).href;
}

function isTrustedOrigin(origin: string): boolean {
  if (devUrl && origin === new URL(devUrl).origin) return true;
  return origin === 'file://' || origin === 'file:///';
}

/** The help links the app ships (presets' docsUrl): the only pages opened in the system browser. */
const openHelpLink = externalLinkGuard(
  (presets as { docsUrl?: string }[]).flatMap((p) => (p.docsUrl ? [p.docsUrl] : [])),
  (url) => void shell.openExternal(url),
);

let picker: DisplayPicker | undefined;

async function createWindow(studio: Studio, media: MediaEndpoint): Promise<void> {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1100,
    minHeight: 680,
    show: false,
    backgroundColor: '#111318',
    title: 'Tandem Studio',
    // Linux takes the window icon from here; Windows and macOS from the packaged .ico / .icns.
    ...(process.platform === 'linux' ? { icon: join(__dirname, '../../resources/icons/512x512.png') } : {}),
    webPreferences: {
      preload: join(__dirname, '../preload/index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      autoplayPolicy: 'no-user-gesture-required',
      spellcheck: false,
      // The program keeps its output rate while the window is hidden or minimised: no timer or
      // rendering throttling for this window (docs/ARCHITECTURE.md "Media path").
      backgroundThrottling: false,
    },
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    openHelpLink(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  const unregister = registerIpc({
    ipcMain,
    dispatch: createDispatcher(studio),
    events: studio,
    target: win.webContents,
    isTrustedUrl,
    media,
  });
  const trusted = (event: IpcInvokeEventLike): boolean =>
    event.sender.id === win.webContents.id && event.senderFrame !== null && !event.senderFrame.parent && isTrustedUrl(event.senderFrame.url);
  picker = displayPicker({
    ipcMain,
    target: win.webContents,
    trusted,
    getSources: () => desktopCapturer.getSources({ types: ['screen', 'window'], thumbnailSize: { width: 320, height: 180 } }),
  });
  win.on('closed', () => {
    unregister();
    picker?.dispose();
    picker = undefined;
  });
  win.once('ready-to-show', () => win.show());
  if (devUrl) await win.loadURL(devUrl);
  else await win.loadFile(indexFile);
}

app.enableSandbox();
app.whenReady().then(async () => {
  session.defaultSession.webRequest.onHeadersReceived((details, cb) => {
    cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  // Camera, microphone and display capture for our own pages only (control/ipc-permissions.ts).
  const perms = permissionHandlers(isTrustedUrl, isTrustedOrigin);
  session.defaultSession.setPermissionRequestHandler((wc, permission, cb, details) => perms.request(wc, permission, cb, details));
  session.defaultSession.setPermissionCheckHandler((wc, permission, origin, details) => perms.check(wc, permission, origin, details));
  // Screen and window sources: the renderer calls getDisplayMedia; the OS picker answers where
  // there is one (macOS 15+), otherwise our dialog in the studio window (control/ipc-picker.ts).
  // Windows can add the system's sound (loopback) when the source asks for audio.
  session.defaultSession.setDisplayMediaRequestHandler(
    (request, callback) => {
      if (!picker) return callback({});
      void picker.pick().then(
        (src) => callback(src ? { video: src as Electron.DesktopCapturerSource, ...(request.audioRequested && process.platform === 'win32' ? { audio: 'loopback' as const } : {}) } : {}),
        () => callback({}),
      );
    },
    { useSystemPicker: true },
  );
  const dataDir = app.getPath('userData');
  const studio = new Studio({ mode: 'electron', version: app.getVersion(), dataDir, secrets: new SafeStorageSecretStore(safeStorage, join(dataDir, 'secrets.json')) });
  await studio.load();
  // The obs-websocket endpoint, when Settings turn it on (a busy port shows there, not fatal).
  // Screenshots come from the program the window sends (asked for when not live or recording).
  const pictures = new ProgramPicture({ demand: (wanted) => studio.wantProgramPicture(wanted) });
  const obs = new ObsWebSocketController(studio, pictures);
  await obs.start();
  // Quitting: connected tools get ExitStarted, then the engine stops, then the app quits.
  let stopping: Promise<void> | undefined;
  let stopped = false;
  const stopAndQuit = (): void => {
    stopping ??= (async () => {
      await obs.shutdown().catch(() => undefined);
      pictures.close();
      await studio.close().catch(() => undefined);
      stopped = true;
      app.quit();
    })();
  };
  app.on('window-all-closed', stopAndQuit);
  app.on('before-quit', (e) => {
    if (stopped) return;
    e.preventDefault();
    stopAndQuit();
  });
  await createWindow(studio, pictures.tap(studio));
}, (err: unknown) => {
  process.stderr.write(`Tandem Studio could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  app.exit(1);
});
