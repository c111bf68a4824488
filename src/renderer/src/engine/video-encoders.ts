// The renderer's side of the encoder groups (docs/ARCHITECTURE.md "Media path"): one WebCodecs
// VideoEncoder per group the engine asks for, fed the program's VideoFrame on the output clock.
// - AVC format 'avc': the decoder config (avcC) goes to the engine once per change, each chunk
//   as length-prefixed NAL units with its capture time; the engine parses the NAL units once.
// - Keyframes: encode(frame, {keyFrame: true}) on the engine's request (a PLI, a destination
//   joining or reconnecting) gives an IDR at once: the last picture is encoded again as the IDR,
//   half a frame interval after it, without waiting for the next picture (on software GL one
//   program frame took 100-250 ms of the page's thread). The fixed GOP is kept by forcing one
//   every keyintFrames frames as well.
// - Bitrate: configure() again with the new bitrate, live.
// - Errors: a failed encoder is recreated (its next frame a keyframe); a second failure within
//   10 s, or a config isConfigSupported refuses, is reported, and the engine falls back to its
//   ffmpeg path (raw frames), so audio and the other groups never stop.
import type { MediaControl, RendererGroup } from '../../../shared/media-wire';

export interface ChunkSink {
  chunk(group: number, keyframe: boolean, encodeUs: number, captureUs: number, avcc: Uint8Array): void;
  config(group: number, avcC: Uint8Array): void;
}

export interface EncoderSetStats {
  encoders: number;
  /** Frames not encoded because an encoder's queue was full. */
  dropped: number;
  /** Encoders recreated after an error. */
  restarts: number;
  lastError: string | undefined;
}

/**
 * Frames given to an encoder and not out yet. encodeQueueSize undercounts (frames already inside
 * the codec are not in it: measured up to 9 in flight with a queue of 4), so we count ourselves.
 */
const MAX_IN_FLIGHT = 3;
const FAILURE_WINDOW_MS = 10_000;

export function encoderConfig(g: RendererGroup): VideoEncoderConfig {
  return {
    codec: g.codec,
    width: g.width,
    height: g.height,
    bitrate: g.bitrateKbps * 1000,
    framerate: g.fps,
    latencyMode: 'realtime',
    bitrateMode: 'constant',
    hardwareAcceleration: 'no-preference',
    avc: { format: 'avc' },
  };
}

/** Whether this renderer can encode `g` with WebCodecs, and why not. */
export async function checkSupport(g: RendererGroup): Promise<{ supported: boolean; reason?: string }> {
  if (typeof VideoEncoder === 'undefined') return { supported: false, reason: 'this window has no WebCodecs VideoEncoder (not a secure context, or an old browser)' };
  try {
    const r = await VideoEncoder.isConfigSupported(encoderConfig(g));
    return r.supported ? { supported: true } : { supported: false, reason: `VideoEncoder.isConfigSupported refused ${g.codec} at ${g.width}×${g.height}` };
  } catch (err) {
    return { supported: false, reason: `VideoEncoder.isConfigSupported failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

class GroupEncoder {
  enc: VideoEncoder;
  config: VideoEncoderConfig;
  keyNext = true;
  sinceKey = 0;
  inFlight = 0;
  lastOutputAt = 0;
  lastAvcC = '';
  /** Timestamp of the last frame given to this encoder, µs. */
  lastUs = -Infinity;
  failures: number[] = [];
  /** Frames handed to the codec since `rateSince` (ms): the rate the codec really gets. */
  private rateFrames = 0;
  private rateSince = performance.now();

  constructor(
    readonly group: RendererGroup,
    private readonly sink: ChunkSink,
    private readonly onError: (ge: GroupEncoder, err: DOMException) => void,
  ) {
    this.config = encoderConfig(group);
    this.enc = this.make();
  }

  make(): VideoEncoder {
    const enc = new VideoEncoder({
      output: (chunk, meta) => this.output(chunk, meta),
      error: (err) => this.onError(this, err),
    });
    enc.configure(this.config);
    this.keyNext = true;
    this.inFlight = 0;
    this.lastOutputAt = performance.now();
    return enc;
  }

  encode(frame: VideoFrame): boolean {
    if (this.enc.state !== 'configured') return false;
    const key = this.keyNext || this.sinceKey >= this.group.keyintFrames;
    // A keyframe asked for waits for room too: it carries over to the next frame encoded.
    // A codec that skipped frames (no output for them) must not hold the count up forever.
    if (this.inFlight >= MAX_IN_FLIGHT && performance.now() - this.lastOutputAt > 1000) this.inFlight = this.enc.encodeQueueSize;
    if (this.inFlight >= MAX_IN_FLIGHT) return false;
    this.enc.encode(frame, { keyFrame: key });
    this.lastUs = frame.timestamp;
    this.inFlight++;
    this.trackRate();
    if (key) {
      this.keyNext = false;
      this.sinceKey = 0;
    }
    this.sinceKey++;
    return true;
  }

  /**
   * A constant-bitrate codec budgets bitrate ÷ framerate per frame (OpenH264 does), so when the
   * machine delivers fewer frames than configured the stream leaves at that fraction of its
   * bitrate (measured: 1.5 and 4 Mbit/s groups at 0.3 and 0.9 Mbit/s at 8 fps). Every second the
   * configured framerate follows the rate the codec really gets, when it is off by over 15 %.
   */
  private trackRate(): void {
    this.rateFrames++;
    const now = performance.now();
    const sec = (now - this.rateSince) / 1000;
    if (sec < 1) return;
    const fps = Math.min(this.group.fps, Math.max(1, Math.round(this.rateFrames / sec)));
    this.rateFrames = 0;
    this.rateSince = now;
    const configured = this.config.framerate ?? this.group.fps;
    if (Math.abs(fps - configured) / configured <= 0.15) return;
    this.config = { ...this.config, framerate: fps };
    if (this.enc.state === 'configured') this.enc.configure(this.config);
  }

  setBitrate(kbps: number): void {
    this.config = { ...this.config, bitrate: kbps * 1000 };
    if (this.enc.state === 'configured') this.enc.configure(this.config);
  }

  close(): void {
    if (this.enc.state !== 'closed') this.enc.close();
  }

  private output(chunk: EncodedVideoChunk, meta: EncodedVideoChunkMetadata | undefined): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.lastOutputAt = performance.now();
    const desc = meta?.decoderConfig?.description;
    if (desc) {
      const bytes = ArrayBuffer.isView(desc) ? new Uint8Array(desc.buffer, desc.byteOffset, desc.byteLength) : new Uint8Array(desc);
      const key = bytes.join(',');
      if (key !== this.lastAvcC) {
        this.lastAvcC = key;
        this.sink.config(this.group.group, bytes.slice());
      }
    }
    const data = new Uint8Array(chunk.byteLength);
    chunk.copyTo(data);
    const encodeUs = (performance.timeOrigin + performance.now()) * 1000 - chunk.timestamp;
    this.sink.chunk(this.group.group, chunk.type === 'key', encodeUs, chunk.timestamp, data);
  }
}

export class EncoderSet {
  private readonly groups = new Map<number, GroupEncoder>();
  private readonly st: EncoderSetStats = { encoders: 0, dropped: 0, restarts: 0, lastError: undefined };
  /** The last picture encoded (a reference of it), for keyframes asked for between pictures. */
  private last: VideoFrame | undefined;

  constructor(
    private readonly sink: ChunkSink,
    /** WebCodecs cannot go on here: the engine should take over (its ffmpeg path). */
    private readonly onFailure: (reason: string) => void,
  ) {}

  /** Follow one of the engine's control messages (resolves once new encoders are configured). */
  async control(m: MediaControl): Promise<void> {
    if (m.type === 'encoders') await this.configure(m.path === 'webcodecs' ? m.groups : []);
    else if (m.type === 'keyframe') this.keyframe(m.group);
    else this.bitrate(m.group, m.kbps);
  }

  /** Make the running encoders match `groups` (new ones start on a keyframe). */
  async configure(groups: readonly RendererGroup[]): Promise<void> {
    const want = new Map(groups.map((g) => [g.group, g]));
    for (const [id, ge] of this.groups) {
      const g = want.get(id);
      if (!g || g.codec !== ge.group.codec || g.width !== ge.group.width || g.height !== ge.group.height || g.fps !== ge.group.fps) {
        ge.close();
        this.groups.delete(id);
      } else if (g.bitrateKbps !== ge.group.bitrateKbps) ge.setBitrate(g.bitrateKbps);
    }
    for (const g of groups) {
      if (this.groups.has(g.group)) continue;
      const support = await checkSupport(g);
      if (!support.supported) {
        this.onFailure(support.reason ?? 'unsupported');
        return;
      }
      try {
        this.groups.set(g.group, new GroupEncoder(g, this.sink, (ge, err) => this.failed(ge, err)));
      } catch (err) {
        this.onFailure(`VideoEncoder could not be configured: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
    }
    this.st.encoders = this.groups.size;
  }

  /**
   * An IDR for `group` now: the last picture again, as a keyframe, stamped half a frame interval
   * after it. Frames come on the output clock's slots (new pictures and repeats alike), so the
   * next one is at least a whole interval later and timestamps keep increasing. When the encoder
   * has no room, or there is no picture yet, the next frame encoded is the keyframe.
   */
  keyframe(group: number): void {
    const ge = this.groups.get(group);
    if (!ge) return;
    ge.keyNext = true;
    const last = this.last;
    if (!last || ge.lastUs > last.timestamp) return;
    const frame = new VideoFrame(last, { timestamp: last.timestamp + Math.floor(500_000 / ge.group.fps) });
    if (!ge.encode(frame)) this.st.dropped++;
    frame.close();
  }

  bitrate(group: number, kbps: number): void {
    this.groups.get(group)?.setBitrate(kbps);
  }

  get size(): number {
    return this.groups.size;
  }

  /** One program frame to every group (the caller closes it afterwards). */
  encode(frame: VideoFrame): void {
    for (const ge of this.groups.values()) if (!ge.encode(frame)) this.st.dropped++;
    this.last?.close();
    this.last = this.groups.size > 0 ? frame.clone() : undefined;
  }

  stats(): EncoderSetStats {
    return { ...this.st, encoders: this.groups.size };
  }

  close(): void {
    for (const ge of this.groups.values()) ge.close();
    this.groups.clear();
    this.last?.close();
    this.last = undefined;
  }

  private failed(ge: GroupEncoder, err: DOMException): void {
    const now = performance.now();
    ge.failures = ge.failures.filter((t) => now - t < FAILURE_WINDOW_MS);
    ge.failures.push(now);
    this.st.lastError = `${err.name}: ${err.message}`;
    if (this.groups.get(ge.group.group) !== ge) return;
    if (ge.failures.length >= 2) {
      ge.close();
      this.groups.delete(ge.group.group);
      this.onFailure(`the WebCodecs encoder failed twice in ${FAILURE_WINDOW_MS / 1000} s (${this.st.lastError})`);
      return;
    }
    this.st.restarts++;
    try {
      ge.close();
      ge.enc = ge.make();
    } catch (e) {
      this.groups.delete(ge.group.group);
      this.onFailure(`the WebCodecs encoder could not restart: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
