// Mixer edits on their way to the engine. A fader drag changes the gain tens of times a second:
// each change is shown at once (an override on top of the document) and sent as a setAudio op at
// most every `intervalMs` per source (the latest value always goes last), so the engine saves
// the scene a few times, not on every pixel. When the engine has answered an op, its state event
// has already arrived (the engine emits before it replies), so the override is dropped and the
// document shows again; a refused op drops it too, so the document wins.
import type { AudioSettings } from '../../shared/scene/model';

export type AudioPatch = Partial<AudioSettings>;
export type SendAudio = (sceneId: string, sourceId: string, patch: AudioPatch) => Promise<unknown>;

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

interface Entry {
  sceneId: string;
  sourceId: string;
  /** What the user set and the document may not show yet. */
  shown: AudioPatch;
  /** Not sent yet. */
  pending: AudioPatch;
  timer: unknown;
  lastSentAt: number;
  inFlight: number;
}

export class AudioEdits {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly send: SendAudio,
    private readonly onError: (err: unknown) => void,
    private readonly intervalMs = 100,
    private readonly timers: Timers = realTimers,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** The settings to show for a source: the document's, with edits not yet confirmed on top. */
  view(sceneId: string, sourceId: string, doc: AudioSettings): AudioSettings {
    const e = this.entries.get(key(sceneId, sourceId));
    return e ? { ...doc, ...e.shown } : doc;
  }

  set(sceneId: string, sourceId: string, patch: AudioPatch): void {
    const k = key(sceneId, sourceId);
    let e = this.entries.get(k);
    if (!e) {
      e = { sceneId, sourceId, shown: {}, pending: {}, timer: undefined, lastSentAt: -Infinity, inFlight: 0 };
      this.entries.set(k, e);
    }
    Object.assign(e.shown, patch);
    Object.assign(e.pending, patch);
    this.changed();
    if (e.timer !== undefined) return; // a send is already scheduled: it takes the latest values
    const wait = e.lastSentAt + this.intervalMs - this.now();
    if (wait <= 0) this.flush(k);
    else e.timer = this.timers.set(() => this.flush(k), wait);
  }

  /** Re-render when an override comes or goes. */
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  dispose(): void {
    for (const e of this.entries.values()) if (e.timer !== undefined) this.timers.clear(e.timer);
    this.entries.clear();
    this.listeners.clear();
  }

  private flush(k: string): void {
    const e = this.entries.get(k);
    if (!e) return;
    e.timer = undefined;
    const patch = e.pending;
    if (Object.keys(patch).length === 0) return;
    e.pending = {};
    e.lastSentAt = this.now();
    e.inFlight++;
    const settle = (): void => {
      e.inFlight--;
      // Done when nothing newer waits or flies: the document now says what was set (or refused it).
      if (e.inFlight === 0 && e.timer === undefined && Object.keys(e.pending).length === 0 && this.entries.get(k) === e) {
        this.entries.delete(k);
        this.changed();
      }
    };
    this.send(e.sceneId, e.sourceId, patch).then(settle, (err: unknown) => {
      settle();
      this.onError(err);
    });
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }
}

const key = (sceneId: string, sourceId: string): string => `${sceneId}\u0000${sourceId}`;
