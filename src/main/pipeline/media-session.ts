// MediaSession: the one owner of what encodes and what is sent right now (docs/ARCHITECTURE.md
// "Media path"): the audio encoder, the encoder groups and their backends, the PacketBus and
// every output on it. The studio and `tandem publish` both run one.
//
//   studio:  renderer PCM ─► audio-only ffmpeg (AAC + Opus) ─────────────────────────┐
//            renderer chunks ─► WebCodecsBackend ─┐                                   ▼
//            renderer I420 ─► VideoPacer ─► ffmpeg video-only per group ─► EncoderGroup(s) ─► PacketBus ─► outputs
//   publish: one ffmpeg (testsrc/file/device → H.264 + AAC/Opus) ─► one group + the audio ─┘
//
// Groups are keyed by video bitrate: destinations asking for the same bitrate share one encode.
// A group lives while an output uses it. A destination whose congestion controller wants less
// than its group gives (WHIP, 'targetBitrate') is never allowed to pull the others down: alone in
// its group it lowers that group in place; sharing it, it moves to a group of its own (at that
// group's first keyframe) whose bitrate then follows it, and moves back once it recovers. Live
// bitrate changes need an encoder that takes them (WebCodecs); on the ffmpeg path the WHIP output
// falls back to dropping video to the next keyframe when its backlog grows. On the studio's WebCodecs path a group is a VideoEncoder
// in the renderer; if that path fails, every group gets an ffmpeg backend instead (same group, so
// outputs see only a new keyframe), and the audio never stops: it is another process.
import type { Codec } from '../protocol/media';
import type { OutputState } from '../../shared/stats';
import type { EncoderGroupStats, OutputStats } from '../../shared/stats';
import { TandemError } from '../../shared/errors';
import type { MediaControl, MediaMessage, RendererGroup } from '../../shared/media-wire';
import { codecString } from '../../shared/codec';
import { TypedEmitter } from '../util/emitter';
import { Encoder } from '../encoder/encoder';
import { gopFrames, type H264Profile, type SourceSpec, type VideoEncoderName } from '../encoder/args';
import type { Output, StateDetail } from '../outputs/output';
import { EncoderGroup, type VideoPath } from './encoder-group';
import { FfmpegAudioSource, FfmpegVideoBackend } from './ffmpeg-backend';
import { PacketBus } from './packet-bus';
import { VideoPacer, type PacedFrame } from './video-pacer';
import { WebCodecsBackend } from './webcodecs-backend';

export interface VideoSettings {
  width: number;
  height: number;
  fps: number;
  /** Default bitrate of a destination that does not set its own. */
  videoBitrateKbps: number;
  audioBitrateKbps: number;
  keyintSec: number;
  profile: H264Profile;
  /** The ffmpeg encoder on the ffmpeg path. */
  encoder: VideoEncoderName;
}

export type SessionSource =
  /** The studio: the renderer sends PCM, and encoded chunks (WebCodecs) or raw frames (ffmpeg path). */
  | { kind: 'studio'; path: VideoPath; control: (msg: MediaControl) => void }
  /** `tandem publish`: one ffmpeg reads the source and encodes video and the audio `codecs`. */
  | { kind: 'native'; source: SourceSpec; codecs: readonly Codec[]; durationSec?: number; drawtext?: boolean };

export interface MediaSessionOptions {
  ffmpegPath: string;
  video: VideoSettings;
  source: SessionSource;
}

export interface MediaSessionEvents {
  /** An output changed state. */
  outputState: (id: string, state: OutputState, detail: StateDetail) => void;
  /** An output failed for good, or threw. */
  outputError: (id: string, error: TandemError) => void;
  /** An encoder process died (the audio encoder, or the native one): the session cannot go on. */
  encoderError: (error: TandemError) => void;
  /** The native source reached its end (duration). */
  ended: () => void;
}

export interface MediaInStats {
  videoFrames: number;
  /** Paced frames not handed to an ffmpeg video encode because it was over 4 frames behind. */
  videoDropped: number;
  chunks: number;
  audioChunks: number;
  wrongSize: number;
  bytes: number;
  repeated: number;
  superseded: number;
}

export interface AddOutputOptions {
  /** The video bitrate this output wants; the session's default when omitted. */
  videoBitrateKbps?: number;
  codecs: readonly Codec[];
}

export class MediaSession extends TypedEmitter<MediaSessionEvents> {
  readonly bus: PacketBus;
  /** The audio-only ffmpeg of the studio, or the one ffmpeg of `tandem publish` (video too). */
  private readonly encoder: Encoder;
  private readonly audio: FfmpegAudioSource;
  private readonly groups = new Map<number, EncoderGroup>();
  private readonly offs = new Map<string, (() => void)[]>();
  /** The video bitrate each output asked for (its group's key). */
  private readonly wanted = new Map<string, number>();
  /** Groups following one output's congestion controller (never shared): group handle → output id. */
  private readonly adaptive = new Map<number, string>();
  private readonly sourceOffs: (() => void)[] = [];
  private path: VideoPath;
  private pacer: VideoPacer | undefined;
  private nextHandle = 1;
  private lastVideoAt = 0;
  private closed = false;
  readonly mediaIn: MediaInStats = { videoFrames: 0, videoDropped: 0, chunks: 0, audioChunks: 0, wrongSize: 0, bytes: 0, repeated: 0, superseded: 0 };

  constructor(private readonly o: MediaSessionOptions) {
    super();
    const v = o.video;
    const src = o.source;
    this.path = src.kind === 'studio' ? src.path : 'ffmpeg';
    const codecs = src.kind === 'native' ? src.codecs : (['aac', 'opus'] as const);
    this.encoder = new Encoder({
      ffmpegPath: o.ffmpegPath,
      source: src.kind === 'native' ? src.source : { kind: 'raw' },
      width: v.width,
      height: v.height,
      fps: v.fps,
      videoBitrateKbps: v.videoBitrateKbps,
      audioBitrateKbps: v.audioBitrateKbps,
      keyintSec: v.keyintSec,
      videoEncoder: v.encoder,
      profile: v.profile,
      video: src.kind === 'native',
      aac: codecs.includes('aac'),
      opus: codecs.includes('opus'),
      ...(src.kind === 'native' && src.durationSec !== undefined ? { durationSec: src.durationSec } : {}),
      ...(src.kind === 'native' && src.drawtext ? { drawtext: true } : {}),
    });
    this.audio = new FfmpegAudioSource(this.encoder);
    this.bus = new PacketBus(this.audio);
    this.sourceOffs.push(
      this.bus.on('outputError', (id, e) => this.emit('outputError', id, e)),
      this.bus.on('moved', (id, from) => void this.afterMove(id, from)),
      this.encoder.on('error', (e) => this.emit('encoderError', e)),
      this.encoder.on('exit', (reason) => {
        if (reason === 'ended') this.emit('ended');
      }),
    );
    if (this.path === 'ffmpeg' && src.kind === 'studio') this.startPacer();
    this.encoder.start();
  }

  get ffmpegPath(): string {
    return this.o.ffmpegPath;
  }

  get videoPath(): VideoPath {
    return this.path;
  }

  /** The audio encoder's (or native encoder's) ffmpeg is running. */
  get running(): boolean {
    return this.encoder.running;
  }

  /** Add an output on the group of its bitrate (created on demand). */
  addOutput(id: string, output: Output, opts: AddOutputOptions): void {
    if (this.closed) throw new TandemError('invalid-state', 'the media session is closed');
    const kbps = opts.videoBitrateKbps ?? this.o.video.videoBitrateKbps;
    const group = this.groupFor(kbps);
    this.wanted.set(id, kbps);
    this.offs.set(id, [
      output.on('state', (state, detail) => this.emit('outputState', id, state, detail)),
      output.on('error', (e) => this.emit('outputError', id, e)),
      output.on('targetBitrate', (k) => this.onTarget(id, k)),
    ]);
    this.bus.add(output, { group: group.id, codecs: opts.codecs });
  }

  /** Stop one output (its goodbye, the file finalised) and release its group if no one else uses it. */
  async removeOutput(id: string): Promise<void> {
    const groupId = this.bus.groupOfOutput(id);
    await this.bus.remove(id);
    for (const off of this.offs.get(id) ?? []) off();
    this.offs.delete(id);
    this.wanted.delete(id);
    const g = [...this.groups.values()].find((x) => x.id === groupId);
    if (g && g.outputs <= 0 && this.o.source.kind === 'studio') await this.dropGroup(g);
  }

  has(id: string): boolean {
    return this.offs.has(id);
  }

  outputs(): Output[] {
    return this.bus.outputs();
  }

  stats(): OutputStats[] {
    return this.bus.outputs().map((o) => o.stats());
  }

  groupStats(): EncoderGroupStats[] {
    return [...this.groups.values()].map((g) => g.stats());
  }

  /** Milliseconds since the renderer's last video (frame or chunk); Infinity before the first. */
  videoSilenceMs(now = performance.now()): number {
    return this.lastVideoAt === 0 ? Infinity : now - this.lastVideoAt;
  }

  /** What the renderer must encode now (sent on every change, and to a newly connected renderer). */
  encodersMessage(): MediaControl {
    const v = this.o.video;
    const groups: RendererGroup[] = [...this.groups.values()].map((g) => ({
      group: g.handle,
      codec: codecString(v.profile, v.width, v.height, v.fps),
      width: v.width,
      height: v.height,
      fps: v.fps,
      bitrateKbps: g.bitrateKbps,
      keyintFrames: gopFrames(v),
    }));
    return { type: 'encoders', path: this.path, groups };
  }

  /**
   * Media from the renderer. Returns a reason when the message cannot be used and the channel it
   * came on should be closed (a chunk that does not parse); everything else is counted and dropped.
   */
  push(msg: MediaMessage): string | undefined {
    if (this.closed || this.o.source.kind !== 'studio') return undefined;
    this.mediaIn.bytes += msg.data.byteLength;
    try {
      switch (msg.kind) {
        case 'audio':
          if (msg.sampleRate !== 48000 || msg.channels !== 2) return undefined;
          this.mediaIn.audioChunks++;
          if (this.encoder.running) this.encoder.pushAudio(msg.data, msg.captureTimeUs);
          return undefined;
        case 'video':
          if (this.path !== 'ffmpeg') return undefined;
          if (msg.width !== this.o.video.width || msg.height !== this.o.video.height) {
            this.mediaIn.wrongSize++;
            return undefined;
          }
          this.mediaIn.videoFrames++;
          this.lastVideoAt = performance.now();
          this.pacer?.offer({ data: msg.data, captureTimeUs: msg.captureTimeUs });
          return undefined;
        case 'config':
          this.webcodecs(msg.group)?.onDecoderConfig(msg.data);
          return undefined;
        case 'chunk': {
          const b = this.webcodecs(msg.group);
          if (!b) return undefined; // a group that just went away
          this.mediaIn.chunks++;
          this.lastVideoAt = performance.now();
          b.onChunk(msg.data, msg.keyframe, msg.captureTimeUs, msg.encodeUs);
          return undefined;
        }
      }
    } catch (err) {
      if (err instanceof TandemError && err.code === 'protocol-violation') return err.message;
      return undefined; // an encoder that is stopping: frames in flight are discarded
    }
  }

  /** Switch every group to another encode path (the renderer's WebCodecs failed, or came back). */
  setVideoPath(path: VideoPath): void {
    if (this.closed || path === this.path || this.o.source.kind !== 'studio') return;
    this.path = path;
    if (path === 'ffmpeg') this.startPacer();
    else {
      this.pacer?.stop();
      this.pacer = undefined;
    }
    for (const g of this.groups.values()) g.attach(this.backendFor(g));
    this.announce();
  }

  /** Stops the encoders (their last frames delivered), then every output (goodbyes, files finalised). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pacer?.stop();
    // Encoders first: their last packets still reach the outputs (a recording keeps its tail).
    await Promise.all([this.encoder.stop().catch(() => undefined), ...[...this.groups.values()].map((g) => g.stop())]);
    await this.bus.stopAll();
    for (const offs of this.offs.values()) for (const off of offs) off();
    this.offs.clear();
    for (const g of this.groups.values()) await g.close();
    this.groups.clear();
    for (const off of this.sourceOffs.splice(0)) off();
    this.bus.close();
    this.audio.close();
    this.encoder.close();
    this.announce();
    this.removeAllListeners();
  }

  // ───────────────────────────────────────────────────────────────────────────────────────────

  /** The output's congestion controller wants `kbps` of video. See the header for the rules. */
  private onTarget(id: string, kbps: number): void {
    if (this.closed || this.o.source.kind !== 'studio' || this.path !== 'webcodecs') return;
    const want = this.wanted.get(id);
    const current = this.groupOf(id);
    if (want === undefined || !current) return;
    const target = Math.min(want, Math.round(kbps));
    const own = this.adaptive.get(current.handle) === id;
    if (own) {
      if (target >= want && current.outputs <= 1 && !this.sharedFor(want)) {
        // Recovered, and alone: this group simply becomes the shared group of its bitrate again.
        this.adaptive.delete(current.handle);
        current.setBitrate(want);
      } else if (target >= want) this.bus.move(id, this.groupFor(want).id);
      else current.setBitrate(target);
      return;
    }
    if (target >= want * 0.95) return;
    if (current.outputs <= 1) {
      this.adaptive.set(current.handle, id);
      current.setBitrate(target);
      this.announce();
      return;
    }
    const g = this.newGroup(target);
    this.adaptive.set(g.handle, id);
    this.bus.move(id, g.id);
  }

  /** After a move: a group of its own left behind empty goes. */
  private async afterMove(_id: string, fromId: string): Promise<void> {
    const from = [...this.groups.values()].find((g) => g.id === fromId);
    if (!from || from.outputs > 0 || this.o.source.kind !== 'studio') return;
    this.adaptive.delete(from.handle);
    await this.dropGroup(from);
  }

  private groupOf(id: string): EncoderGroup | undefined {
    const gid = this.bus.groupOfOutput(id);
    return [...this.groups.values()].find((g) => g.id === gid);
  }

  /** The shared (non-adaptive) group of a bitrate, if there is one. */
  private sharedFor(kbps: number): EncoderGroup | undefined {
    return [...this.groups.values()].find((g) => g.bitrateKbps === kbps && !this.adaptive.has(g.handle));
  }

  private groupFor(kbps: number): EncoderGroup {
    const src = this.o.source;
    // `tandem publish` encodes once, in its one ffmpeg: every output shares that group.
    const found = src.kind === 'native' ? [...this.groups.values()][0] : this.sharedFor(kbps);
    if (found) return found;
    return this.newGroup(src.kind === 'native' ? this.o.video.videoBitrateKbps : kbps);
  }

  private newGroup(kbps: number): EncoderGroup {
    const handle = this.nextHandle++;
    const g = new EncoderGroup({ id: `g${handle}`, handle, bitrateKbps: kbps });
    this.groups.set(handle, g);
    this.bus.addGroup(g);
    g.attach(this.backendFor(g));
    this.announce();
    return g;
  }

  private async dropGroup(g: EncoderGroup): Promise<void> {
    this.groups.delete(g.handle);
    this.adaptive.delete(g.handle);
    this.bus.removeGroup(g.id);
    await g.close();
    this.announce();
  }

  private backendFor(g: EncoderGroup): FfmpegVideoBackend | WebCodecsBackend {
    const src = this.o.source;
    if (src.kind === 'native') return new FfmpegVideoBackend(this.encoder, false);
    if (this.path === 'webcodecs') return new WebCodecsBackend({ group: g.handle, fps: this.o.video.fps, control: src.control });
    const v = this.o.video;
    const enc = new Encoder({
      ffmpegPath: this.o.ffmpegPath,
      source: { kind: 'raw' },
      width: v.width,
      height: v.height,
      fps: v.fps,
      videoBitrateKbps: g.bitrateKbps,
      keyintSec: v.keyintSec,
      videoEncoder: v.encoder,
      profile: v.profile,
      video: true,
      aac: false,
      opus: false,
    });
    enc.start();
    return new FfmpegVideoBackend(enc, true);
  }

  private webcodecs(handle: number): WebCodecsBackend | undefined {
    return this.webcodecsBackends().get(handle);
  }

  private webcodecsBackends(): Map<number, WebCodecsBackend> {
    const out = new Map<number, WebCodecsBackend>();
    for (const g of this.groups.values()) {
      const b = g.backend;
      if (b instanceof WebCodecsBackend) out.set(g.handle, b);
    }
    return out;
  }

  private startPacer(): void {
    this.pacer ??= new VideoPacer(this.o.video.fps, (f) => this.toFfmpeg(f));
  }

  /** One paced raw frame to every group's ffmpeg; a group over 4 frames behind drops it (counted). */
  private toFfmpeg(f: PacedFrame): void {
    const v = this.o.video;
    const maxBacklog = 4 * v.width * v.height * 1.5;
    if (this.pacer) {
      this.mediaIn.repeated = this.pacer.stats.repeated;
      this.mediaIn.superseded = this.pacer.stats.superseded;
    }
    for (const g of this.groups.values()) {
      const b = g.backend;
      if (!(b instanceof FfmpegVideoBackend) || !b.encoder.running) continue;
      // A 720p frame is far larger than a pipe's buffer, so write() always reports "full"; what
      // matters is how much is still queued: over 4 frames, ffmpeg is not keeping up.
      if (b.encoder.videoBacklogBytes > maxBacklog) {
        this.mediaIn.videoDropped++;
        continue;
      }
      try {
        b.encoder.pushVideoFrame(f.data, f.captureTimeUs);
      } catch {
        // stopping
      }
    }
  }

  private announce(): void {
    const src = this.o.source;
    if (src.kind === 'studio') src.control(this.closed ? { type: 'encoders', path: this.path, groups: [] } : this.encodersMessage());
  }
}
