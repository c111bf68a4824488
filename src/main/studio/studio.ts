// The Studio orchestrator: the engine behind every transport. It owns the scene document (with
// undo/redo and persistence), destinations and settings, implements the StudioApi, and emits
// `state` and `stats` events for subscribers.
import type { ApiEventListeners, Destination, Recording, Settings, StudioApiImpl, StudioState } from '../../shared/api';
import { InvalidStateError, TandemError } from '../../shared/errors';
import type { OutputStats } from '../../shared/stats';
import { SceneHistory } from '../../shared/scene/history';
import type { SceneOp } from '../../shared/scene/ops';
import type { Transition } from '../../shared/scene/model';
import { TypedEmitter } from '../util/emitter';
import { applyPatch, createRecord, toPublic, type DestinationRecord } from './destinations';
import { defaultSceneDoc, SceneStore } from './scene-store';

export const DEFAULT_SETTINGS: Settings = {
  width: 1280,
  height: 720,
  fps: 30,
  videoBitrateKbps: 2500,
  audioBitrateKbps: 128,
  keyintSec: 2,
  encoder: 'libx264',
  recordFormat: 'mkv',
  recordFolder: '',
  language: 'en',
};

export type StudioEvents = ApiEventListeners;

export interface StudioOptions {
  mode: StudioState['engine']['mode'];
  version?: string;
  settings?: Partial<Settings>;
  /** Folder for scenes.json; omit to keep everything in memory (tests). */
  dataDir?: string;
}

export class Studio extends TypedEmitter<StudioEvents> implements StudioApiImpl {
  private readonly history = new SceneHistory(defaultSceneDoc());
  private readonly store: SceneStore | undefined;
  private readonly destinations = new Map<string, DestinationRecord>();
  private settings: Settings;
  private live = false;
  private recording: Recording = { active: false };
  private readonly engine: StudioState['engine'];
  private closed = false;
  /** Why the saved scenes could not be used at load, if so. */
  loadProblem: string | undefined;

  constructor(opts: StudioOptions) {
    super();
    this.settings = { ...DEFAULT_SETTINGS, ...opts.settings };
    this.engine = { version: opts.version ?? '0.1.0', mode: opts.mode };
    this.store = opts.dataDir ? new SceneStore(opts.dataDir) : undefined;
  }

  /** Loads saved scenes (if a data folder was given). */
  async load(): Promise<void> {
    if (!this.store) return;
    const res = await this.store.load();
    this.history.reset(res.doc);
    this.loadProblem = res.problem;
    this.changed(false);
  }

  // ── StudioApi: state and scenes ──────────────────────────────────────────
  getState(): StudioState {
    return {
      sceneDoc: this.history.doc,
      canUndo: this.history.canUndo,
      canRedo: this.history.canRedo,
      destinations: this.listDestinations(),
      recording: this.recording,
      capture: this.recording.active || this.live,
      settings: this.settings,
      live: this.live,
      engine: this.engine,
    };
  }

  setActiveScene({ id }: { id: string }): null {
    this.history.apply({ op: 'setActiveScene', sceneId: id });
    this.changed();
    return null;
  }

  sceneOp(op: SceneOp): null {
    this.history.apply(op);
    this.changed();
    return null;
  }

  setTransition(t: Transition): null {
    const doc = this.history.doc;
    this.history.reset({ ...doc, transition: t });
    this.changed();
    return null;
  }

  undo(): null {
    this.history.undo();
    this.changed();
    return null;
  }

  redo(): null {
    this.history.redo();
    this.changed();
    return null;
  }

  listDestinations(): Destination[] {
    return [...this.destinations.values()].map(toPublic);
  }

  addDestination(input: Parameters<StudioApiImpl['addDestination']>[0]): Destination {
    const rec = createRecord(input);
    this.destinations.set(rec.id, rec);
    this.changed();
    return toPublic(rec);
  }

  updateDestination({ id, patch }: Parameters<StudioApiImpl['updateDestination']>[0]): Destination {
    const rec = this.mustGet(id);
    if (rec.state !== 'idle' && rec.state !== 'stopped' && rec.state !== 'failed') {
      throw new InvalidStateError(`'${rec.name}' is ${rec.state}: stop it before editing`, { target: rec.name });
    }
    const next = applyPatch(rec, patch);
    this.destinations.set(id, next);
    this.changed();
    return toPublic(next);
  }

  removeDestination({ id }: { id: string }): null {
    const rec = this.mustGet(id);
    if (rec.state === 'live' || rec.state === 'connecting' || rec.state === 'reconnecting') {
      throw new InvalidStateError(`'${rec.name}' is ${rec.state}: stop it before removing`, { target: rec.name });
    }
    this.destinations.delete(id);
    this.changed();
    return null;
  }

  getSettings(): Settings {
    return this.settings;
  }

  updateSettings(patch: Parameters<StudioApiImpl['updateSettings']>[0]): Settings {
    if (this.live) throw new InvalidStateError('settings cannot change while live: stop first');
    const next: Settings = { ...this.settings };
    for (const [k, v] of Object.entries(patch) as [keyof Settings, Settings[keyof Settings]][]) {
      if (v !== undefined) (next as Record<keyof Settings, unknown>)[k] = v;
    }
    this.settings = next;
    this.changed();
    return this.settings;
  }

  goLive(_params: { ids?: string[] | undefined } | undefined): null {
    throw new InvalidStateError('going live from the studio window is not wired yet: use `tandem publish` for now');
  }

  stopLive(_params: { ids?: string[] | undefined } | undefined): null {
    return null;
  }

  getStats(): OutputStats[] {
    return [];
  }

  startRecording(_params: { path?: string | undefined } | undefined): Recording {
    throw new InvalidStateError('recording from the studio is not wired yet: use `tandem publish --record` for now');
  }

  stopRecording(): Recording {
    return this.recording;
  }

  // ── lifecycle ────────────────────────────────────────────────────────────
  /** The secret for an output to use. Never exposed through the API. */
  secretOf(id: string): string {
    return this.mustGet(id).secret;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.removeAllListeners();
    await this.store?.flush();
  }

  private mustGet(id: string): DestinationRecord {
    const rec = this.destinations.get(id);
    if (!rec) throw new TandemError('not-found', `no destination with id '${id.slice(0, 64)}'`);
    return rec;
  }

  private changed(persist = true): void {
    if (persist) this.store?.save(this.history.doc);
    this.emit('state', this.getState());
  }
}
