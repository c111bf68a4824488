// Electron lifecycle and windows only (DESIGN.md): everything below this file is Electron-free.
// Security defaults: contextIsolation, sandbox, no nodeIntegration, strict CSP, navigation and
// window.open denied, IPC calls checked against our own frame.
import { app, BrowserWindow, desktopCapturer, ipcMain, safeStorage, session, shell } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createDispatcher } from '../shared/rpc';
import { registerIpc } from './control/ipc';
import { Studio } from './studio/studio';
import { SafeStorageSecretStore } from './studio/secret-store';

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
const devUrl = process.env.ELECTRON_RENDERER_URL;
const indexFile = join(__dirname, '../renderer/index.html');

function isTrustedUrl(url: string): boolean {
  if (devUrl && url.startsWith(devUrl)) return true;
  return url.split(/[?#]/)[0] === pathToFileURL(indexFile).href;
}

async function createWindow(studio: Studio): Promise<void> {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1100,
    minHeight: 680,
    show: false,
    backgroundColor: '#111318',
    title: 'Tandem Studio',
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
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  const unregister = registerIpc({
    ipcMain,
    dispatch: createDispatcher(studio),
    events: studio,
    target: win.webContents,
    isTrustedUrl,
    media: studio,
  });
  win.on('closed', unregister);
  win.once('ready-to-show', () => win.show());
  if (devUrl) await win.loadURL(devUrl);
  else await win.loadFile(indexFile);
}

app.enableSandbox();
app.whenReady().then(async () => {
  session.defaultSession.webRequest.onHeadersReceived((details, cb) => {
    cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, permission, cb) => {
    cb(permission === 'media' || permission === 'display-capture');
  });
  // Screen and window sources: the renderer calls getDisplayMedia; desktopCapturer answers (the
  // OS picker where there is one, e.g. macOS 15+; otherwise the first screen).
  session.defaultSession.setDisplayMediaRequestHandler(
    (_request, callback) => {
      desktopCapturer.getSources({ types: ['screen', 'window'] }).then(
        (sources) => callback(sources[0] ? { video: sources[0] } : {}),
        () => callback({}),
      );
    },
    { useSystemPicker: true },
  );
  const dataDir = app.getPath('userData');
  const studio = new Studio({ mode: 'electron', version: app.getVersion(), dataDir, secrets: new SafeStorageSecretStore(safeStorage, join(dataDir, 'secrets.json')) });
  await studio.load();
  app.on('window-all-closed', () => {
    void studio.close();
    app.quit();
  });
  await createWindow(studio);
}, (err: unknown) => {
  process.stderr.write(`Tandem Studio could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  app.exit(1);
});
