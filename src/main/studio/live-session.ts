// A live session: one raw-input Encoder fed by the renderer's compositor and mixer, fanned out
// by a PacketBus to any mix of outputs (recording, RTMP, WHIP) that come and go while it runs.
// It encodes AAC and Opus from the start, so a WHIP or RTMP destination can join at any time
// without restarting the encoder (Opus costs a few % of one core; measured in bench/studio).
import type { Settings } from '../../shared/api';
import { TandemError } from '../../shared/errors';
import type { MediaMessage } from '../../shared/media-wire';
import type { OutputStats } from '../../shared/stats';
import { Encoder } from '../encoder/encoder';
import type { H264Profile } from '../encoder/args';
import type { Output } from '../outputs/output';
import { PacketBus, type AddOptions } from './packet-bus';
import { VideoPacer, type PacedFrame } from './video-pacer';

export interface LiveSessionOptions {
  ffmpegPath: string;
  settings: Settings;
  profile?: H264Profile;
  /** The encoder died or the bus reported an output error. */
  onError: (id: string | null, error: TandemError) => void;
}

export interface MediaInStats {
  videoFrames: number;
  /** Paced frames not handed to ffmpeg because it was over 4 frames behind. */
  videoDropped: number;
  audioChunks: number;
  wrongSize: number;
  bytes: number;
}

export class LiveSession {
  readonly ffmpegPath: string;
  readonly encoder: Encoder;
  readonly bus: PacketBus;
  readonly pacer: VideoPacer;
  private readonly settings: Settings;
  /** Video is dropped while more than this many frames wait in the pipe to ffmpeg. */
  private readonly maxBacklogBytes: number;
  private closed = false;
  private readonly offs: (() => void)[] = [];
  readonly mediaIn: MediaInStats = { videoFrames: 0, videoDropped: 0, audioChunks: 0, wrongSize: 0, bytes: 0 };

  constructor(opts: LiveSessionOptions) {
    const s = opts.settings;
    this.settings = s;
    this.ffmpegPath = opts.ffmpegPath;
    this.maxBacklogBytes = 4 * s.width * s.height * 1.5;
    this.encoder = new Encoder({
      ffmpegPath: opts.ffmpegPath,
      source: { kind: 'raw' },
      width: s.width,
      height: s.height,
      fps: s.fps,
      videoBitrateKbps: s.videoBitrateKbps,
      audioBitrateKbps: s.audioBitrateKbps,
      keyintSec: s.keyintSec,
      videoEncoder: s.encoder,
      profile: opts.profile ?? 'high',
      aac: true,
      opus: true,
    });
    this.bus = new PacketBus(this.encoder);
    this.pacer = new VideoPacer(s.fps, (f) => this.toEncoder(f));
    this.offs.push(
      this.encoder.on('error', (e) => opts.onError(null, e)),
      this.bus.on('outputError', (id, e) => opts.onError(id, e)),
    );
    this.encoder.start();
  }

  /** Raw media from the renderer. Video is dropped (counted) while the encoder's pipe is full. */
  push(msg: MediaMessage): void {
    if (this.closed || !this.encoder.running) return;
    this.mediaIn.bytes += msg.data.byteLength;
    try {
      if (msg.kind === 'video') {
        if (msg.width !== this.settings.width || msg.height !== this.settings.height) {
          this.mediaIn.wrongSize++;
          return;
        }
        this.mediaIn.videoFrames++;
        this.pacer.offer({ data: msg.data, captureTimeUs: msg.captureTimeUs });
      } else {
        if (msg.sampleRate !== 48000 || msg.channels !== 2) return;
        this.mediaIn.audioChunks++;
        this.encoder.pushAudio(msg.data, msg.captureTimeUs);
      }
    } catch {
      // the encoder is stopping; frames in flight are discarded
    }
  }

  private toEncoder(f: PacedFrame): void {
    if (this.closed || !this.encoder.running) return;
    // A 720p frame is far larger than a pipe's buffer, so write() always reports "full"; what
    // matters is how much is still queued: over 4 frames, ffmpeg is not keeping up.
    if (this.encoder.videoBacklogBytes > this.maxBacklogBytes) {
      this.mediaIn.videoDropped++;
      return;
    }
    try {
      this.encoder.pushVideoFrame(f.data, f.captureTimeUs);
    } catch {
      // stopping
    }
  }

  add(output: Output, opts: AddOptions = {}): void {
    this.bus.add(output, opts);
  }

  async remove(id: string): Promise<void> {
    await this.bus.remove(id);
  }

  outputs(): Output[] {
    return this.bus.outputs();
  }

  stats(): OutputStats[] {
    return this.bus.outputs().map((o) => o.stats());
  }

  /** Stops every output (goodbyes, file finalised), then the encoder. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pacer.stop();
    for (const off of this.offs.splice(0)) off();
    await this.bus.stopAll();
    await this.encoder.stop().catch(() => undefined);
    this.bus.close();
    this.encoder.close();
  }
}
