// An encoder group (docs/ARCHITECTURE.md "Media path"): one video encode at one set of settings,
// shared by every output that wants those settings. The group is what the rest of the engine
// holds on to; the encode itself is a backend that can be swapped underneath (WebCodecs in the
// renderer, or ffmpeg in the engine when WebCodecs is not available or fails), so outputs never
// notice a fallback beyond a new keyframe and, perhaps, new parameter sets.
//
// The group owns the one keyframe limiter of its encode (keyframes.ts), the bitrate meter of what
// it produced, and its stats. It normalises access units on the way in: every keyframe carries
// its SPS and PPS first (protocol/h264/access-unit.ts).
import type { H264Config, VideoPacket } from '../protocol/media';
import { sameNalus, withParameterSets } from '../protocol/h264/access-unit';
import type { TandemError } from '../../shared/errors';
import type { EncoderGroupStats } from '../../shared/stats';
import { TypedEmitter } from '../util/emitter';
import { BitrateMeter } from '../outputs/meter';
import { KeyframeLimiter, type KeyframeReason } from './keyframes';

export type VideoPath = EncoderGroupStats['path'];

export interface VideoBackendEvents {
  /** One access unit; `encodeUs` is capture → packet when the backend knows it. */
  packet: (packet: VideoPacket, encodeUs: number | undefined) => void;
  config: (config: H264Config) => void;
  /** The backend cannot go on (its process died, the renderer's encoder broke). */
  error: (error: TandemError) => void;
}

export interface VideoBackend {
  readonly path: VideoPath;
  /** Whether forceKeyframe() gives an IDR at the next frame (ffmpeg's CLI cannot: fixed GOP). */
  readonly canForceKeyframe: boolean;
  on<K extends keyof VideoBackendEvents>(event: K, fn: VideoBackendEvents[K]): () => void;
  forceKeyframe(): void;
  /** Change the target bitrate while running; false when this backend cannot. */
  setBitrate(kbps: number): boolean;
  /** Finish: the last frames come out (as 'packet' events) before this resolves. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

export interface EncoderGroupEvents {
  packet: (packet: VideoPacket) => void;
  config: (config: H264Config) => void;
  /** The backend failed; the owner may attach another one. */
  backendError: (error: TandemError) => void;
}

export interface EncoderGroupOptions {
  id: string;
  /** Small number identifying the group on the renderer wire. */
  handle: number;
  bitrateKbps: number;
  /** Minimum spacing of forced keyframes, ms (default 250). */
  keyframeMinIntervalMs?: number;
}

const TIMES = 256;

export class EncoderGroup extends TypedEmitter<EncoderGroupEvents> {
  readonly id: string;
  readonly handle: number;
  private target: number;
  private current: VideoBackend | undefined;
  private offs: (() => void)[] = [];
  private cfg: H264Config | undefined;
  private readonly limiter: KeyframeLimiter;
  private readonly meter = new BitrateMeter();
  private readonly times = new Float64Array(TIMES);
  private timesN = 0;
  private frames = 0;
  private keyframes = 0;
  /** Outputs fed by this group (kept by the bus). */
  outputs = 0;

  constructor(o: EncoderGroupOptions) {
    super();
    this.id = o.id;
    this.handle = o.handle;
    this.target = o.bitrateKbps;
    this.limiter = new KeyframeLimiter({ minIntervalMs: o.keyframeMinIntervalMs ?? 250, force: () => this.current?.forceKeyframe() });
  }

  get bitrateKbps(): number {
    return this.target;
  }

  get config(): H264Config | undefined {
    return this.cfg;
  }

  /** The encode behind the group now. */
  get backend(): VideoBackend | undefined {
    return this.current;
  }

  get path(): VideoPath | undefined {
    return this.current?.path;
  }

  get canForceKeyframe(): boolean {
    return this.current?.canForceKeyframe ?? false;
  }

  /** Use `backend` from now on (closing the previous one). Its first packet is a keyframe. */
  attach(backend: VideoBackend): void {
    const old = this.current;
    for (const off of this.offs.splice(0)) off();
    this.current = backend;
    this.offs.push(
      backend.on('config', (c) => this.onConfig(c)),
      backend.on('packet', (p, us) => this.onPacket(p, us)),
      backend.on('error', (e) => this.emit('backendError', e)),
    );
    if (old) void old.close();
  }

  requestKeyframe(reason: KeyframeReason = 'pli'): void {
    this.limiter.request(reason);
  }

  /** A new target, applied live where the backend can. */
  setBitrate(kbps: number): boolean {
    this.target = kbps;
    return this.current?.setBitrate(kbps) ?? false;
  }

  stats(): EncoderGroupStats {
    const s: EncoderGroupStats = {
      id: this.id,
      path: this.current?.path ?? 'ffmpeg',
      codec: 'h264',
      targetKbps: this.target,
      actualKbps: Math.round(this.meter.kbps()),
      bytes: this.meter.total,
      frames: this.frames,
      keyframes: this.keyframes,
      forcedKeyframes: this.limiter.stats.forced,
      outputs: this.outputs,
    };
    const n = Math.min(this.timesN, TIMES);
    if (n > 0) {
      const sorted = Array.from(this.times.subarray(0, n)).sort((a, b) => a - b);
      s.encodeMsP50 = round1(sorted[Math.floor(0.5 * (n - 1))]!);
      s.encodeMsP95 = round1(sorted[Math.floor(0.95 * (n - 1))]!);
    }
    return s;
  }

  /** Let the backend finish its last frames (they are still delivered). */
  async stop(): Promise<void> {
    await this.current?.stop();
  }

  async close(): Promise<void> {
    this.limiter.close();
    for (const off of this.offs.splice(0)) off();
    const b = this.current;
    this.current = undefined;
    await b?.close();
    this.removeAllListeners();
  }

  private onConfig(c: H264Config): void {
    if (this.cfg && sameNalus(this.cfg.sps, c.sps) && sameNalus(this.cfg.pps, c.pps) && this.cfg.width === c.width && this.cfg.height === c.height) return;
    this.cfg = c;
    this.emit('config', c);
  }

  private onPacket(p: VideoPacket, encodeUs: number | undefined): void {
    const cfg = this.cfg;
    if (!cfg) return; // nothing is decodable before the parameter sets
    this.frames++;
    this.meter.add(p.size);
    if (encodeUs !== undefined) this.times[this.timesN++ % TIMES] = encodeUs / 1000;
    let out = p;
    if (p.keyframe) {
      this.keyframes++;
      this.limiter.keyframeProduced();
      const nalus = withParameterSets(p.nalus, cfg.sps, cfg.pps);
      if (nalus !== p.nalus) out = { ...p, nalus, size: nalus.reduce((n, u) => n + u.length, 0) };
    }
    this.emit('packet', out);
  }
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
