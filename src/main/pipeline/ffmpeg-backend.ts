// ffmpeg on the pipeline: an Encoder (encoder/encoder.ts) seen as an encoder group's video backend
// and/or as the shared audio source. The ffmpeg CLI can neither force an IDR nor change its
// bitrate while it runs, so this backend says so: the bus replays its GOP cache to an output that
// goes live instead of waiting for a forced keyframe, and a keyframe request waits for the next
// scheduled IDR of the short fixed GOP (keyint, 2 s by default).
import type { AudioPacket, Codec, CodecConfig, H264Config, VideoPacket } from '../protocol/media';
import type { TandemError } from '../../shared/errors';
import { TypedEmitter } from '../util/emitter';
import type { Encoder } from '../encoder/encoder';
import type { VideoBackend, VideoBackendEvents } from './encoder-group';
import type { AudioSource } from './packet-bus';
import { nowUs } from '../encoder/timestamps';

export class FfmpegVideoBackend extends TypedEmitter<VideoBackendEvents> implements VideoBackend {
  readonly path = 'ffmpeg' as const;
  readonly canForceKeyframe = false;
  private readonly offs: (() => void)[];

  /** `owned`: close() stops the encoder (a video-only process of this group) rather than leaving it to its owner. */
  constructor(
    readonly encoder: Encoder,
    private readonly owned: boolean,
  ) {
    super();
    this.offs = [
      encoder.on('packet', (p) => {
        if (p.track === 'video') this.emit('packet', p as VideoPacket, Math.max(0, nowUs() - p.pts));
      }),
      encoder.on('config', (c) => {
        if (c.codec === 'h264') this.emit('config', c as H264Config);
      }),
      encoder.on('error', (e: TandemError) => this.emit('error', e)),
    ];
    const known = encoder.configs.find((c): c is H264Config => c.codec === 'h264');
    if (known) queueMicrotask(() => this.emit('config', known));
  }

  forceKeyframe(): void {
    // Fixed GOP: the next scheduled IDR answers (see the header).
  }

  setBitrate(): boolean {
    return false;
  }

  async stop(): Promise<void> {
    if (this.owned) await this.encoder.stop().catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.stop();
    for (const off of this.offs.splice(0)) off();
    if (this.owned) this.encoder.close();
    this.removeAllListeners();
  }
}

interface AudioEvents {
  packet: (p: AudioPacket) => void;
  config: (c: CodecConfig) => void;
}

/** The AAC and/or Opus an Encoder produces, as the bus's shared audio. */
export class FfmpegAudioSource extends TypedEmitter<AudioEvents> implements AudioSource {
  readonly expected: readonly Codec[];
  private readonly offs: (() => void)[];

  constructor(private readonly encoder: Encoder) {
    super();
    const s = encoder.settings;
    this.expected = [...(s.aac ? (['aac'] as const) : []), ...(s.opus ? (['opus'] as const) : [])];
    this.offs = [
      encoder.on('packet', (p) => {
        if (p.track === 'audio') this.emit('packet', p as AudioPacket);
      }),
      encoder.on('config', (c) => {
        if (c.codec !== 'h264') this.emit('config', c);
      }),
    ];
  }

  get configs(): readonly CodecConfig[] {
    return this.encoder.configs.filter((c) => c.codec !== 'h264');
  }

  close(): void {
    for (const off of this.offs.splice(0)) off();
    this.removeAllListeners();
  }
}
