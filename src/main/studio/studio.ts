// The Studio orchestrator: the engine behind every transport. It owns the scene document (with
// undo/redo and persistence), destinations and settings, implements the StudioApi, and emits
// `state` and `stats` events for subscribers.
import type { ApiEventListeners, ApiResult, Destination, EngineStats, ObsWebSocketStatus, Recording, Settings, StudioApiImpl, StudioState, VideoSupport } from '../../shared/api';
import { InvalidStateError, TandemError, toErrorInfo, type ErrorInfo } from '../../shared/errors';
import type { OutputState, OutputStats } from '../../shared/stats';
import { SceneHistory } from '../../shared/scene/history';
import type { SceneOp } from '../../shared/scene/ops';
import type { Transition } from '../../shared/scene/model';
import { TypedEmitter } from '../util/emitter';
import { OUTPUT_DEFAULTS } from '../../shared/defaults';
import { CpuMeter } from '../util/cpu';
import { listEncoders, resolveFfmpeg } from '../encoder/ffmpeg-path';
import { VIDEO_ENCODERS } from '../encoder/args';
import { applyPatch, createRecord, toPublic, type DestinationRecord } from './destinations';
import { defaultSceneDoc, SceneStore } from './scene-store';
import { DestinationStore, toStored } from './destination-store';
import { JsonFileStore } from './json-store';
import { SettingsSchema } from '../../shared/api';
import type { z } from 'zod';

/** settings.json: every field optional, so a file from an older version (fewer fields) still loads. */
const SavedSettingsSchema = SettingsSchema.partial();
type SavedSettings = z.infer<typeof SavedSettingsSchema>;
import { MemorySecretStore, type SecretStore } from './secret-store';
import { RemoteControl, type ObsWebSocketOverride } from './remote-control';
import { Live, RECORD_ID, recordingPath } from './live';
import type { MediaChannel, MediaControl, MediaEndpoint } from '../../shared/media-wire';
import type { OutputSpec } from '../outputs/factory';

export const DEFAULT_SETTINGS: Settings = {
  ...OUTPUT_DEFAULTS,
  encoder: 'webcodecs',
  recordFormat: 'mkv',
  recordVideoBitrateKbps: 0,
  recordFolder: '',
  language: 'auto',
  obsWebSocket: { enabled: false, port: 4455, lan: false, auth: true },
};

/** Settings that may change while live or recording (they do not touch the encode). */
const LIVE_SAFE_SETTINGS: ReadonlySet<string> = new Set(['language', 'obsWebSocket']);

export type StudioEvents = ApiEventListeners;

export interface StudioOptions {
  mode: StudioState['engine']['mode'];
  version?: string;
  settings?: Partial<Settings>;
  /** Folder for scenes.json and destinations.json; omit to keep everything in memory (tests). */
  dataDir?: string;
  /** Where stream keys and tokens live (OS keychain, encrypted file); memory when omitted. */
  secrets?: SecretStore;
  /** The obs-websocket endpoint as the command line sets it for this run (over the settings). */
  obsWebSocket?: ObsWebSocketOverride;
}

export class Studio extends TypedEmitter<StudioEvents> implements StudioApiImpl, MediaEndpoint {
  private readonly history = new SceneHistory(defaultSceneDoc());
  private readonly store: SceneStore | undefined;
  private readonly destStore: DestinationStore | undefined;
  private readonly settingsStore: JsonFileStore<SavedSettings> | undefined;
  private readonly secrets: SecretStore;
  private readonly destinations = new Map<string, DestinationRecord>();
  private settings: Settings;
  private live = false;
  /** A screenshot wants the program picture (ProgramPicture's demand): the page sends it as while live. */
  private pictureWanted = false;
  private liveSince: number | null = null;
  private recording: Recording = { active: false };
  private readonly engine: StudioState['engine'];
  private closed = false;
  private readonly cpu = new CpuMeter();
  private readonly liveOut = new Live(() => this.settings, {
    onState: (id, state, error, retry) => this.onOutputState(id, state, error, retry),
    onStats: (stats) => this.emit('stats', stats),
    onVideo: () => this.changed(false),
  });
  /** Why the saved scenes could not be used at load, if so. */
  loadProblem: string | undefined;
  /** The obs-websocket endpoint's configuration, password and status (remote-control.ts). */
  readonly remote: RemoteControl;

  constructor(opts: StudioOptions) {
    super();
    this.settings = { ...DEFAULT_SETTINGS, ...opts.settings };
    this.engine = { version: opts.version ?? '0.1.0', mode: opts.mode };
    this.store = opts.dataDir ? new SceneStore(opts.dataDir) : undefined;
    this.destStore = opts.dataDir ? new DestinationStore(opts.dataDir) : undefined;
    // Settings saved by another version may lack fields or carry old ones: keep what validates.
    this.settingsStore = opts.dataDir ? new JsonFileStore(opts.dataDir, 'settings.json', SavedSettingsSchema, 'settings') : undefined;
    this.secrets = opts.secrets ?? new MemorySecretStore();
    this.remote = new RemoteControl(this.secrets, () => this.settings.obsWebSocket, opts.obsWebSocket);
  }

  /** Loads saved scenes (if a data folder was given). */
  async load(): Promise<void> {
    const problems: string[] = [];
    if (this.store) {
      const res = await this.store.load();
      this.history.reset(res.doc);
      if (res.problem) problems.push(`scenes: ${res.problem}`);
    }
    if (this.settingsStore) {
      const res = await this.settingsStore.load();
      for (const [k, v] of Object.entries(res.value ?? {})) if (v !== undefined) (this.settings as Record<string, unknown>)[k] = v;
      if (res.problem) problems.push(res.problem);
    }
    if (this.destStore) {
      const res = await this.destStore.load();
      if (res.problem) problems.push(`destinations: ${res.problem}`);
      for (const d of res.destinations) {
        let secret = '';
        try {
          secret = (await this.secrets.get(d.id)) ?? '';
        } catch (err) {
          problems.push(`the key of '${d.name}' could not be read (${toErrorInfo(err).message}); enter it again`);
        }
        const rec: DestinationRecord = { id: d.id, name: d.name, protocol: d.protocol, url: d.url, secret, enabled: d.enabled, state: 'idle' };
        if (d.videoBitrateKbps !== undefined) rec.videoBitrateKbps = d.videoBitrateKbps;
        if (d.allowUntrustedCertificate && d.protocol === 'rtmps') rec.allowUntrustedCertificate = true;
        this.destinations.set(d.id, rec);
      }
    }
    this.loadProblem = problems.length ? problems.join('; ') : undefined;
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
      capture: this.recording.active || this.live || this.liveOut.active || this.pictureWanted,
      settings: this.settings,
      live: this.live,
      liveSince: this.liveSince,
      engine: this.engine,
      secretStorage: this.secrets.kind,
      video: this.liveOut.videoState(),
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

  async addDestination(input: Parameters<StudioApiImpl['addDestination']>[0]): Promise<Destination> {
    const rec = createRecord(input);
    if (rec.secret) await this.secrets.set(rec.id, rec.secret);
    this.destinations.set(rec.id, rec);
    await this.saveDestinations();
    this.changed(false);
    return toPublic(rec);
  }

  async updateDestination({ id, patch }: Parameters<StudioApiImpl['updateDestination']>[0]): Promise<Destination> {
    const rec = this.mustGet(id);
    if (rec.state !== 'idle' && rec.state !== 'stopped' && rec.state !== 'failed') {
      throw new InvalidStateError(`'${rec.name}' is ${rec.state}: stop it before editing`, { target: rec.name });
    }
    const next = applyPatch(rec, patch);
    if (patch.secret !== undefined) await this.secrets.set(id, next.secret);
    this.destinations.set(id, next);
    await this.saveDestinations();
    this.changed(false);
    return toPublic(next);
  }

  async removeDestination({ id }: { id: string }): Promise<null> {
    const rec = this.mustGet(id);
    if (rec.state === 'live' || rec.state === 'connecting' || rec.state === 'reconnecting') {
      throw new InvalidStateError(`'${rec.name}' is ${rec.state}: stop it before removing`, { target: rec.name });
    }
    this.destinations.delete(id);
    await this.secrets.delete(id);
    await this.saveDestinations();
    this.changed(false);
    return null;
  }

  private async saveDestinations(): Promise<void> {
    await this.destStore?.save([...this.destinations.values()].map((d) => toStored(d)));
  }

  getSettings(): Settings {
    return this.settings;
  }

  updateSettings(patch: Parameters<StudioApiImpl['updateSettings']>[0]): Settings {
    const liveSafe = Object.keys(patch).every((k) => LIVE_SAFE_SETTINGS.has(k));
    if ((this.live || this.liveOut.active) && !liveSafe) throw new InvalidStateError('settings cannot change while live or recording: stop first');
    const next: Settings = { ...this.settings };
    for (const [k, v] of Object.entries(patch) as [keyof Settings, Settings[keyof Settings]][]) {
      if (v !== undefined) (next as Record<keyof Settings, unknown>)[k] = v;
    }
    this.settings = next;
    void this.settingsStore?.save(next).catch(() => undefined);
    this.changed();
    return this.settings;
  }

  async goLive(params: { ids?: string[] | undefined } | undefined): Promise<null> {
    const targets = params?.ids ? params.ids.map((id) => this.mustGet(id)) : [...this.destinations.values()].filter((d) => d.enabled);
    if (targets.length === 0) throw new InvalidStateError('there is no enabled destination to go live on');
    const starts = targets
      .filter((d) => !this.liveOut.has(d.id))
      .map(async (d) => {
        d.state = 'connecting';
        delete d.error;
        delete d.retry;
        this.updateLive();
        this.changed(false);
        try {
          await this.liveOut.add(d.id, { spec: specOf(d), videoBitrateKbps: d.videoBitrateKbps, whipLikely: this.whipLikely() });
        } catch (err) {
          this.onOutputState(d.id, 'failed', toErrorInfo(err));
        }
      });
    await Promise.all(starts);
    return null;
  }

  async stopLive(params: { ids?: string[] | undefined } | undefined): Promise<null> {
    const ids = params?.ids ?? [...this.destinations.keys()];
    await Promise.all(ids.filter((id) => this.liveOut.has(id)).map((id) => this.liveOut.remove(id)));
    return null;
  }

  /** A reconnecting destination tries now; a failed one starts again. */
  async retryDestination({ id }: { id: string }): Promise<null> {
    const d = this.mustGet(id);
    if (this.liveOut.retryNow(id)) return null;
    if (d.state === 'failed' || d.state === 'stopped' || d.state === 'idle') await this.goLive({ ids: [id] });
    return null;
  }

  reportVideoSupport(s: VideoSupport): null {
    this.liveOut.setSupport(s);
    return null;
  }

  getStats(): OutputStats[] {
    return this.liveOut.stats();
  }

  async getEncoders(): Promise<ApiResult<'getEncoders'>> {
    const { path, reason } = this.liveOut.videoPath();
    const support = this.liveOut.videoSupport;
    const webcodecs = support ? { supported: support.webcodecs, ...(support.reason ? { reason: support.reason } : {}), ...(support.codec ? { codec: support.codec } : {}) } : null;
    try {
      const ff = await resolveFfmpeg();
      const all = await listEncoders(ff.path);
      return { ffmpeg: { path: ff.path, version: ff.version, source: ff.source }, video: VIDEO_ENCODERS.filter((e) => all.has(e)), path, pathReason: reason, webcodecs };
    } catch (err) {
      return { ffmpeg: null, video: [], error: toErrorInfo(err).message, path, pathReason: reason, webcodecs };
    }
  }

  // ── StudioApi: the obs-websocket endpoint (remote-control.ts) ─────────────
  getObsWebSocket(): ObsWebSocketStatus {
    return this.remote.status();
  }

  async getObsWebSocketPassword(): Promise<{ password: string }> {
    return { password: await this.remote.password() };
  }

  async regenerateObsWebSocketPassword(): Promise<{ password: string }> {
    return { password: await this.remote.regenerate() };
  }

  disconnectObsWebSocketClient({ id }: { id: string }): null {
    return this.remote.disconnect(id);
  }

  getEngineStats(): EngineStats {
    return { cpuPercent: this.cpu.sample(), ...this.liveOut.engineStats() };
  }

  async startRecording(params: { path?: string | undefined } | undefined): Promise<Recording> {
    if (this.recording.active) throw new InvalidStateError('already recording');
    const path = params?.path ?? recordingPath(this.settings);
    this.recording = { active: true, path, startedAt: Date.now() };
    this.changed(false);
    try {
      const own = this.settings.recordVideoBitrateKbps;
      await this.liveOut.add(RECORD_ID, { spec: { kind: 'record', path }, videoBitrateKbps: own > 0 ? own : undefined, whipLikely: this.whipLikely() });
    } catch (err) {
      this.recording = { active: false, path, error: toErrorInfo(err) };
      this.changed(false);
      throw err;
    }
    return this.recording;
  }

  async stopRecording(): Promise<Recording> {
    if (!this.recording.active) return this.recording;
    await this.liveOut.remove(RECORD_ID);
    return this.recording;
  }

  /**
   * Asks the studio page to send the program picture while nothing is live or recording (a
   * screenshot for obs-websocket's GetSourceScreenshot), or lets it stop. The frames reach no
   * encoder: only the ProgramPicture tap keeps them.
   */
  wantProgramPicture(wanted: boolean): void {
    if (this.pictureWanted === wanted || this.closed) return;
    this.pictureWanted = wanted;
    this.changed(false);
  }

  /**
   * A renderer's media channel (browser-mode /media WebSocket, or the desktop window's IPC):
   * `send` carries what to encode and keyframe/bitrate requests to it; the channel takes its media.
   */
  attachMediaChannel(send: (msg: MediaControl) => void): MediaChannel {
    return this.liveOut.attachChannel(send);
  }

  // ── lifecycle ────────────────────────────────────────────────────────────
  /** The secret for an output to use. Never exposed through the API. */
  secretOf(id: string): string {
    return this.mustGet(id).secret;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.liveOut.close();
    this.removeAllListeners();
    await this.store?.flush();
    await this.destStore?.flush();
    await this.settingsStore?.flush();
  }

  private mustGet(id: string): DestinationRecord {
    const rec = this.destinations.get(id);
    if (!rec) throw new TandemError('not-found', `no destination with id '${id.slice(0, 64)}'`);
    return rec;
  }

  private onOutputState(id: string, state: OutputState, error?: ErrorInfo, retry?: { attempt?: number; delayMs?: number }): void {
    if (id === RECORD_ID) {
      if (state === 'failed' || state === 'stopped') {
        const rec: Recording = { active: false };
        if (this.recording.path !== undefined) rec.path = this.recording.path;
        if (error) rec.error = { code: error.code, message: error.message, ...(error.status !== undefined ? { status: error.status } : {}) };
        this.recording = rec;
      }
    } else {
      const d = this.destinations.get(id);
      if (!d) return;
      d.state = state;
      if (state === 'reconnecting' && retry?.delayMs !== undefined) d.retry = { at: Date.now() + retry.delayMs, attempt: retry.attempt ?? 1 };
      else delete d.retry;
      if (error) d.error = error;
      else if (state === 'live' || state === 'connecting') delete d.error;
    }
    this.updateLive();
    this.changed(false);
  }

  private updateLive(): void {
    this.live = [...this.destinations.values()].some((d) => ['connecting', 'live', 'reconnecting'].includes(d.state));
    const anyLive = [...this.destinations.values()].some((d) => d.state === 'live');
    if (anyLive && this.liveSince === null) this.liveSince = Date.now();
    else if (!this.live) this.liveSince = null;
  }

  /** Whether a WebRTC destination may join the shared encode (it then uses constrained Baseline). */
  private whipLikely(): boolean {
    return [...this.destinations.values()].some((d) => d.enabled && d.protocol === 'whip');
  }

  private changed(persist = true): void {
    if (persist) this.store?.save(this.history.doc);
    this.emit('state', this.getState());
  }
}

/** The output spec of a destination: RTMP gets the key appended to the server URL. */
export function specOf(d: DestinationRecord): OutputSpec {
  if (d.protocol === 'whip') return d.secret ? { kind: 'whip', url: d.url, token: d.secret } : { kind: 'whip', url: d.url };
  const base = d.url.replace(/\/+$/, '');
  const url = d.secret ? `${base}/${d.secret}` : base;
  return d.allowUntrustedCertificate ? { kind: 'rtmp', url, allowUntrustedCertificate: true } : { kind: 'rtmp', url };
}
