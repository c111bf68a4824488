// Doubles for pipeline tests: an audio source, a video backend and an output that record what the
// pipeline does to them. No media, no timers of their own.
import type { AudioSource } from '../../src/main/pipeline/packet-bus';
import type { VideoBackend, VideoBackendEvents } from '../../src/main/pipeline/encoder-group';
import type { Output, OutputEvents, StateDetail } from '../../src/main/outputs/output';
import { audioPacket, videoPacket, type AudioPacket, type Codec, type CodecConfig, type EncodedPacket, type H264Config, type VideoPacket } from '../../src/main/protocol/media';
import { TypedEmitter } from '../../src/main/util/emitter';
import { emptyStats, type OutputState, type OutputStats } from '../../src/shared/stats';

// A tiny but parseable-looking SPS/PPS pair (not decoded by these tests).
export const SPS = new Uint8Array([0x67, 0x42, 0xc0, 0x1f, 0xda]);
export const PPS = new Uint8Array([0x68, 0xce, 0x3c, 0x80]);
export const H264: H264Config = { codec: 'h264', width: 2, height: 2, fps: 30, sps: [SPS], pps: [PPS] };
export const AAC: CodecConfig = { codec: 'aac', sampleRate: 48000, channels: 2, asc: new Uint8Array([0x11, 0x90]) };
export const OPUS: CodecConfig = { codec: 'opus', sampleRate: 48000, channels: 2 };

const IDR = new Uint8Array([0x65, 0x88, 0x84]);
const P = new Uint8Array([0x41, 0x9a]);
export const vid = (i: number, key = false): VideoPacket => videoPacket('h264', i, i, key, [key ? IDR : P, new Uint8Array([i & 0xff])]);
export const aud = (i: number, codec: 'aac' | 'opus' = 'aac'): AudioPacket => audioPacket(codec, i, new Uint8Array([i & 0xff]));

interface AudioEvents {
  packet: (p: AudioPacket) => void;
  config: (c: CodecConfig) => void;
}

export class FakeAudio extends TypedEmitter<AudioEvents> implements AudioSource {
  configs: CodecConfig[] = [];
  constructor(readonly expected: readonly Codec[] = ['aac', 'opus']) {
    super();
  }
  config(c: CodecConfig): void {
    this.configs.push(c);
    this.emit('config', c);
  }
  packet(p: AudioPacket): void {
    this.emit('packet', p);
  }
}

export class FakeBackend extends TypedEmitter<VideoBackendEvents> implements VideoBackend {
  readonly path = 'webcodecs' as const;
  forced = 0;
  bitrates: number[] = [];
  stopped = 0;
  closed = 0;
  constructor(readonly canForceKeyframe = true) {
    super();
  }
  forceKeyframe(): void {
    this.forced++;
  }
  setBitrate(kbps: number): boolean {
    this.bitrates.push(kbps);
    return true;
  }
  async stop(): Promise<void> {
    this.stopped++;
  }
  async close(): Promise<void> {
    this.closed++;
  }
  config(c: H264Config = H264): void {
    this.emit('config', c);
  }
  packet(p: VideoPacket, encodeUs?: number): void {
    this.emit('packet', p, encodeUs);
  }
}

export class FakeOutput extends TypedEmitter<OutputEvents> implements Output {
  readonly protocol = 'record' as const;
  got: EncodedPacket[] = [];
  started: readonly CodecConfig[] | undefined;
  updated: CodecConfig[] = [];
  stopped = 0;
  state: OutputState = 'idle';
  constructor(
    readonly id: string,
    private readonly behaviour: { throwOnWrite?: boolean; slowMs?: number; rejectStart?: boolean; liveOnStart?: boolean } = {},
  ) {
    super();
  }
  async start(configs: readonly CodecConfig[]): Promise<void> {
    this.started = configs;
    if (this.behaviour.rejectStart) throw new Error('refused');
    this.set('connecting');
    if (this.behaviour.liveOnStart ?? true) this.set('live');
  }
  write(p: EncodedPacket): void {
    if (this.behaviour.throwOnWrite) throw new Error('boom');
    if (this.behaviour.slowMs) {
      const end = performance.now() + this.behaviour.slowMs;
      while (performance.now() < end);
    }
    this.got.push(p);
  }
  updateConfig(c: CodecConfig): void {
    this.updated.push(c);
  }
  retryNow(): boolean {
    return false;
  }
  async stop(): Promise<void> {
    this.stopped++;
    this.set('stopped');
  }
  stats(): OutputStats {
    return emptyStats(this.id, 'record', 'x');
  }
  askKeyframe(): void {
    this.emit('keyframeRequest');
  }
  set(state: OutputState, detail: StateDetail = {}): void {
    this.state = state;
    this.emit('state', state, detail);
  }
}
