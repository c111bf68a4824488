// The desktop app's screen/window picker (docs/ARCHITECTURE.md "Security"): when the page asks for
// display capture, the shell lists what desktopCapturer offers (with thumbnails), the studio
// window shows them in a dialog, and the choice — from our own window's main frame only — picks
// the source. Structural types, so tests drive it with doubles as they do ipc.ts.
import { IPC_DISPLAY_CHOICE, IPC_DISPLAY_SOURCES } from '../../shared/methods';
import type { IpcInvokeEventLike, IpcMainLike, WebContentsLike } from './ipc';

export interface DisplaySourceLike {
  id: string;
  name: string;
  thumbnail: { toDataURL(): string; isEmpty?(): boolean };
}

/** What the dialog shows of a source. */
export interface DisplaySourceInfo {
  id: string;
  name: string;
  kind: 'screen' | 'window';
  /** data:image/png;base64,… */
  thumbnail: string;
}

export interface PickerOptions {
  ipcMain: IpcMainLike;
  target: WebContentsLike;
  /** The frame check of ipc.ts: our window's top frame with our URL. */
  trusted: (event: IpcInvokeEventLike) => boolean;
  getSources: () => Promise<DisplaySourceLike[]>;
  /** How long the dialog may stay open, ms (default 120 s): then the request is refused. */
  timeoutMs?: number;
}

export interface DisplayPicker {
  /** Ask the window which source to capture; undefined when cancelled, timed out or none exist. */
  pick(): Promise<DisplaySourceLike | undefined>;
  dispose(): void;
}

export function displayPicker(o: PickerOptions): DisplayPicker {
  let next = 1;
  const waiting = new Map<number, { sources: DisplaySourceLike[]; resolve: (s: DisplaySourceLike | undefined) => void; timer: ReturnType<typeof setTimeout> }>();
  o.ipcMain.handle(IPC_DISPLAY_CHOICE, (event: IpcInvokeEventLike, choice: unknown) => {
    if (!o.trusted(event)) return false;
    const c = typeof choice === 'object' && choice !== null ? (choice as { requestId?: unknown; sourceId?: unknown }) : {};
    const w = typeof c.requestId === 'number' ? waiting.get(c.requestId) : undefined;
    if (!w) return false;
    waiting.delete(c.requestId as number);
    clearTimeout(w.timer);
    w.resolve(typeof c.sourceId === 'string' ? w.sources.find((s) => s.id === c.sourceId) : undefined);
    return true;
  });
  return {
    async pick() {
      const sources = await o.getSources().catch(() => []);
      if (sources.length === 0 || o.target.isDestroyed()) return undefined;
      const requestId = next++;
      const info: DisplaySourceInfo[] = sources.map((s) => ({
        id: s.id,
        name: s.name,
        kind: s.id.startsWith('screen:') ? 'screen' : 'window',
        thumbnail: s.thumbnail.isEmpty?.() ? '' : s.thumbnail.toDataURL(),
      }));
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiting.delete(requestId);
          resolve(undefined);
        }, o.timeoutMs ?? 120_000);
        waiting.set(requestId, { sources, resolve, timer });
        o.target.send(IPC_DISPLAY_SOURCES, { requestId, sources: info });
      });
    },
    dispose() {
      o.ipcMain.removeHandler(IPC_DISPLAY_CHOICE);
      for (const w of waiting.values()) {
        clearTimeout(w.timer);
        w.resolve(undefined);
      }
      waiting.clear();
    },
  };
}
