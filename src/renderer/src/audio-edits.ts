// Mixer edits on their way to the engine. A fader drag changes the gain tens of times a second:
// each change is shown at once (an override on top of the document) and sent as a setAudio op at
// most every `intervalMs` per source (the latest value always goes last), so the engine saves
// the scene a few times, not on every pixel. The engine emits its state event before it answers
// an op, so once an op is answered the next document the page renders has it: the override is
// dropped then (docChanged), not at the answer, because the page may not have rendered that
// document yet and the fader would jump back for a moment. A refused op drops it at once, so the
// document wins.
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
  /** Every op sent was answered and nothing newer waits: drop at the next document. */
  answered: boolean;
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
      e = { sceneId, sourceId, shown: {}, pending: {}, timer: undefined, lastSentAt: -Infinity, inFlight: 0, answered: false };
      this.entries.set(k, e);
    }
    Object.assign(e.shown, patch);
    Object.assign(e.pending, patch);
    e.answered = false;
    this.changed();
    if (e.timer !== undefined) return; // a send is already scheduled: it takes the latest values
    const wait = e.lastSentAt + this.intervalMs - this.now();
    if (wait <= 0) this.flush(k);
    else e.timer = this.timers.set(() => this.flush(k), wait);
  }

  /** A new scene document was rendered: overrides whose ops were all answered give way to it. */
  docChanged(): void {
    let dropped = false;
    for (const [k, e] of this.entries) {
      if (e.answered) {
        this.entries.delete(k);
        dropped = true;
      }
    }
    if (dropped) this.changed();
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
    const idle = (): boolean => e.inFlight === 0 && e.timer === undefined && Object.keys(e.pending).length === 0 && this.entries.get(k) === e;
    this.send(e.sceneId, e.sourceId, patch).then(
      () => {
        e.inFlight--;
        if (idle()) e.answered = true;
      },
      (err: unknown) => {
        e.inFlight--;
        if (idle()) {
          this.entries.delete(k);
          this.changed();
        }
        this.onError(err);
      },
    );
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }
}

const key = (sceneId: string, sourceId: string): string => `${sceneId}\u0000${sourceId}`;
