// The WebCodecs encode of an encoder group: the renderer's VideoEncoder (docs/ARCHITECTURE.md
// "Media path"). The engine tells the renderer what to encode and asks for keyframes and bitrate
// changes (MediaControl messages); the renderer sends back the decoder config (avcC) and one
// chunk per frame (AVCC access units with their capture time), which this backend turns into the
// engine's access-unit format, parsing the NAL units once. WebCodecs forces an IDR at exactly the
// frame asked for (encode(frame, {keyFrame: true})), and takes a new bitrate by configure().
import type { H264Config, VideoPacket } from '../protocol/media';
import { videoPacket } from '../protocol/media';
import { hasIdr, stripDelimiters } from '../protocol/h264/access-unit';
import { parseAvcDecoderConfigurationRecord } from '../protocol/h264/avcc';
import { splitAvcc } from '../protocol/h264/annexb';
import { parseSps } from '../protocol/h264/sps';
import { MonotonicGuard, nowUs } from '../encoder/timestamps';
import { ProtocolError } from '../../shared/errors';
import type { MediaControl } from '../../shared/media-wire';
import { TypedEmitter } from '../util/emitter';
import type { VideoBackend, VideoBackendEvents } from './encoder-group';

export interface WebCodecsBackendOptions {
  group: number;
  fps: number;
  /** Sends a control message to the renderer. */
  control: (msg: MediaControl) => void;
}

export class WebCodecsBackend extends TypedEmitter<VideoBackendEvents> implements VideoBackend {
  readonly path = 'webcodecs' as const;
  readonly canForceKeyframe = true;
  private config: H264Config | undefined;
  private lengthSize: 1 | 2 | 4 = 4;
  private readonly guard = new MonotonicGuard();
  private closed = false;
  /** Chunks that arrived before any decoder config (dropped: nothing can decode them). */
  early = 0;

  constructor(private readonly o: WebCodecsBackendOptions) {
    super();
  }

  forceKeyframe(): void {
    if (!this.closed) this.o.control({ type: 'keyframe', group: this.o.group });
  }

  setBitrate(kbps: number): boolean {
    if (this.closed) return false;
    this.o.control({ type: 'bitrate', group: this.o.group, kbps: Math.round(kbps) });
    return true;
  }

  /** The group's AVCDecoderConfigurationRecord (WebCodecs decoderConfig.description). Throws ProtocolError. */
  onDecoderConfig(avcC: Uint8Array): void {
    const rec = parseAvcDecoderConfigurationRecord(avcC);
    const sps = rec.sps[0];
    if (!sps || rec.pps.length === 0) throw new ProtocolError('the decoder config has no SPS or PPS');
    const info = parseSps(sps);
    this.lengthSize = rec.lengthSize;
    this.config = { codec: 'h264', width: info.width, height: info.height, fps: this.o.fps, sps: rec.sps, pps: rec.pps };
    this.emit('config', this.config);
  }

  /**
   * One encoded frame. Throws ProtocolError for an access unit that does not parse. The time
   * reported for the group's encode figures is capture → packet here, on the engine's clock (both
   * processes stamp the wall clock, as the ffmpeg path's figure does), not the renderer's own
   * frame → chunk figure `_rendererEncodeUs`, which leaves out the transport.
   */
  onChunk(avcc: Uint8Array, keyframe: boolean, captureTimeUs: number, _rendererEncodeUs: number): void {
    if (this.closed) return;
    if (!this.config) {
      this.early++;
      return;
    }
    const nalus = stripDelimiters(splitAvcc(avcc, this.lengthSize));
    if (nalus.length === 0) throw new ProtocolError('a video chunk without NAL units');
    const pts = this.guard.next(captureTimeUs);
    const p: VideoPacket = videoPacket('h264', pts, pts, keyframe && hasIdr(nalus), nalus);
    this.emit('packet', p, Math.max(0, nowUs() - captureTimeUs));
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    this.removeAllListeners();
    return Promise.resolve();
  }
}
