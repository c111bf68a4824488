// The Studio orchestrator: the engine behind every transport. It owns scenes, destinations and
// settings, implements the StudioApi, and emits `state` and `stats` events for subscribers.
import defaultScene from '../../../resources/default-scene.json';
import type { ApiEventListeners, Destination, Scene, Settings, StudioApiImpl, StudioState } from '../../shared/api';
import { SceneSchema } from '../../shared/api';
import { InvalidStateError, TandemError } from '../../shared/errors';
import type { OutputStats } from '../../shared/stats';
import { TypedEmitter } from '../util/emitter';
import { applyPatch, createRecord, toPublic, type DestinationRecord } from './destinations';

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
}

export class Studio extends TypedEmitter<StudioEvents> implements StudioApiImpl {
  private readonly scenes: Scene[];
  private activeSceneId: string;
  private readonly destinations = new Map<string, DestinationRecord>();
  private settings: Settings;
  private live = false;
  private readonly engine: StudioState['engine'];
  private closed = false;

  constructor(opts: StudioOptions) {
    super();
    this.scenes = defaultScene.scenes.map((s) => SceneSchema.parse(s));
    this.activeSceneId = defaultScene.activeSceneId;
    this.settings = { ...DEFAULT_SETTINGS, ...opts.settings };
    this.engine = { version: opts.version ?? '0.1.0', mode: opts.mode };
  }

  // ── StudioApi ────────────────────────────────────────────────────────────
  getState(): StudioState {
    return {
      scenes: this.scenes,
      activeSceneId: this.activeSceneId,
      destinations: this.listDestinations(),
      settings: this.settings,
      live: this.live,
      engine: this.engine,
    };
  }

  listScenes(): Scene[] {
    return this.scenes;
  }

  setActiveScene({ id }: { id: string }): null {
    if (!this.scenes.some((s) => s.id === id)) throw new TandemError('not-found', `no scene with id '${id}'`);
    this.activeSceneId = id;
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

  // ── lifecycle ────────────────────────────────────────────────────────────
  /** The secret for an output to use. Never exposed through the API. */
  secretOf(id: string): string {
    return this.mustGet(id).secret;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.removeAllListeners();
  }

  private mustGet(id: string): DestinationRecord {
    const rec = this.destinations.get(id);
    if (!rec) throw new TandemError('not-found', `no destination with id '${id.slice(0, 64)}'`);
    return rec;
  }

  private changed(): void {
    this.emit('state', this.getState());
  }
}
