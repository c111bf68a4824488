// The desktop app's screen/window picker, renderer side (docs/ARCHITECTURE.md "Security"): when
// the page asks for display capture, the shell sends the screens and windows desktopCapturer
// offers (src/main/control/ipc-picker.ts) through the preload's onDisplaySources; the dialog
// shows them and sends the choice, or null for cancel, back with chooseDisplaySource. DOM-free,
// so it is tested with a double of the bridge.

export interface DisplaySource {
  id: string;
  name: string;
  kind: 'screen' | 'window';
  /** A data:image/… URL, or '' when the shell had no thumbnail. */
  thumbnail: string;
}

export interface DisplayRequest {
  requestId: number;
  sources: DisplaySource[];
}

/** What the dialog needs of window.tandem (src/preload/api.ts). */
export interface PickerBridge {
  onDisplaySources(listener: (msg: unknown) => void): () => void;
  chooseDisplaySource(choice: { requestId: number; sourceId: string | null }): Promise<unknown>;
}

/** The picker half of the preload bridge, when there is one (desktop app), else null. */
export function pickerBridge(bridge: unknown): PickerBridge | null {
  if (typeof bridge !== 'object' || bridge === null) return null;
  const b = bridge as Record<string, unknown>;
  const on = b.onDisplaySources;
  const choose = b.chooseDisplaySource;
  if (typeof on !== 'function' || typeof choose !== 'function') return null;
  return {
    onDisplaySources: (listener) => (on as PickerBridge['onDisplaySources'])(listener),
    chooseDisplaySource: (choice) => (choose as PickerBridge['chooseDisplaySource'])(choice),
  };
}

const MAX_SOURCES = 500;

/** The shell's message, checked field by field; anything malformed is dropped (null). */
export function parseDisplayRequest(msg: unknown): DisplayRequest | null {
  if (typeof msg !== 'object' || msg === null) return null;
  const m = msg as { requestId?: unknown; sources?: unknown };
  if (typeof m.requestId !== 'number' || !Number.isInteger(m.requestId) || !Array.isArray(m.sources)) return null;
  const sources: DisplaySource[] = [];
  for (const raw of m.sources.slice(0, MAX_SOURCES)) {
    if (typeof raw !== 'object' || raw === null) continue;
    const s = raw as Record<string, unknown>;
    if (typeof s.id !== 'string' || s.id === '' || typeof s.name !== 'string') continue;
    const kind = s.kind === 'screen' || s.kind === 'window' ? s.kind : s.id.startsWith('screen:') ? 'screen' : 'window';
    // Only inline images: the dialog never loads a URL the message names.
    const thumbnail = typeof s.thumbnail === 'string' && /^data:image\/(png|jpeg);base64,/.test(s.thumbnail) ? s.thumbnail : '';
    sources.push({ id: s.id, name: s.name.slice(0, 300), kind, thumbnail });
  }
  return { requestId: m.requestId, sources };
}

/** Screens first, then windows, each in the shell's order. */
export function groupSources(sources: readonly DisplaySource[]): { screens: DisplaySource[]; windows: DisplaySource[] } {
  return { screens: sources.filter((s) => s.kind === 'screen'), windows: sources.filter((s) => s.kind === 'window') };
}

/**
 * One open request at a time: a new one while the dialog is open cancels the old one (the shell
 * refuses that capture), as does dispose(). Every request gets exactly one answer.
 */
export class PickerController {
  private request: DisplayRequest | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly off: () => void;

  constructor(private readonly bridge: PickerBridge) {
    this.off = bridge.onDisplaySources((msg) => {
      const req = parseDisplayRequest(msg);
      if (!req) return;
      if (this.request) this.answer(null);
      this.request = req;
      this.changed();
    });
  }

  current(): DisplayRequest | null {
    return this.request;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Share this source (one of the current request's). */
  choose(sourceId: string): void {
    if (!this.request?.sources.some((s) => s.id === sourceId)) return;
    this.answer(sourceId);
  }

  cancel(): void {
    if (this.request) this.answer(null);
  }

  dispose(): void {
    this.cancel();
    this.off();
    this.listeners.clear();
  }

  private answer(sourceId: string | null): void {
    const req = this.request;
    if (!req) return;
    this.request = null;
    // The shell may have given up already (its timeout): then it answers false, and there is nothing to do.
    this.bridge.chooseDisplaySource({ requestId: req.requestId, sourceId }).catch(() => undefined);
    this.changed();
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }
}
