// Media from the renderer to the engine, one binary message per frame, chunk or audio block
// (docs/ARCHITECTURE.md "Media path"). Little-endian header of 24 bytes, then the payload:
//   0  u8  kind: 1 I420 frame (the ffmpeg path), 2 s16 PCM, 3 encoded video chunk (WebCodecs),
//          4 decoder config of an encoder group (WebCodecs)
//   1  u8  version (2)
//   2  u16 flags: chunk bit 0 = keyframe
//   4  u32 frame: width  | audio: sample rate | chunk, config: group handle
//   8  u32 frame: height | audio: channels    | chunk: encode µs (capture → chunk) | config: 0
//  12  u32 payload bytes
//  16  f64 capture time, µs on the wall clock (performance.timeOrigin + now()); config: 0
// Payloads: I420 = Y (w·h), U, V (w/2·h/2 each). PCM = frames × channels s16. Chunk = one H.264
// access unit, NAL units with 4-byte big-endian lengths (WebCodecs avc format 'avc'). Config = the
// AVCDecoderConfigurationRecord (WebCodecs decoderConfig.description).
// decodeMedia never throws: anything malformed comes back as a ProtocolError, and the engine closes
// only that media channel with its message.
import { ProtocolError } from './errors';

export const MEDIA_HEADER = 24;
export const MEDIA_VERSION = 2;
export const KIND_VIDEO = 1;
export const KIND_AUDIO = 2;
export const KIND_CHUNK = 3;
export const KIND_CONFIG = 4;
/** Bound on one encoded chunk or config (a 4K keyframe at a high bitrate is well under this). */
export const MAX_CHUNK_BYTES = 8 << 20;

export type MediaMessage =
  | { kind: 'video'; width: number; height: number; captureTimeUs: number; data: Uint8Array }
  | { kind: 'audio'; sampleRate: number; channels: number; captureTimeUs: number; data: Int16Array }
  | { kind: 'chunk'; group: number; keyframe: boolean; encodeUs: number; captureTimeUs: number; data: Uint8Array }
  | { kind: 'config'; group: number; data: Uint8Array };

function header(msg: Uint8Array, kind: number, flags: number, a: number, b: number, timeUs: number): Uint8Array {
  const dv = new DataView(msg.buffer, msg.byteOffset, MEDIA_HEADER);
  dv.setUint8(0, kind);
  dv.setUint8(1, MEDIA_VERSION);
  dv.setUint16(2, flags, true);
  dv.setUint32(4, a >>> 0, true);
  dv.setUint32(8, b >>> 0, true);
  dv.setUint32(12, msg.byteLength - MEDIA_HEADER, true);
  dv.setFloat64(16, timeUs, true);
  return msg;
}

function withPayload(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(MEDIA_HEADER + payload.byteLength);
  out.set(payload, MEDIA_HEADER);
  return out;
}

export function encodeVideo(width: number, height: number, captureTimeUs: number, i420: Uint8Array): Uint8Array {
  return writeVideoHeader(withPayload(i420), width, height, captureTimeUs);
}

/**
 * Fills the header of a message whose I420 payload was already written at offset MEDIA_HEADER
 * (the compositor reads back straight into it: no extra copy of the frame).
 */
export function writeVideoHeader(msg: Uint8Array, width: number, height: number, captureTimeUs: number): Uint8Array {
  return header(msg, KIND_VIDEO, 0, width, height, captureTimeUs);
}

export function encodeAudio(sampleRate: number, channels: number, captureTimeUs: number, pcm: Int16Array): Uint8Array {
  return header(withPayload(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength)), KIND_AUDIO, 0, sampleRate, channels, captureTimeUs);
}

export function encodeChunk(group: number, keyframe: boolean, encodeUs: number, captureTimeUs: number, avcc: Uint8Array): Uint8Array {
  return header(withPayload(avcc), KIND_CHUNK, keyframe ? 1 : 0, group, Math.max(0, Math.min(0xffffffff, Math.round(encodeUs))), captureTimeUs);
}

export function encodeConfig(group: number, avcC: Uint8Array): Uint8Array {
  return header(withPayload(avcC), KIND_CONFIG, 0, group, 0, 0);
}

/** Decodes one message; anything malformed is a ProtocolError, returned (never thrown). */
export function decodeMedia(buf: Uint8Array): MediaMessage | ProtocolError {
  const r = decodeOrReason(buf);
  return typeof r === 'string' ? new ProtocolError(`media channel: ${r}`) : r;
}

function decodeOrReason(buf: Uint8Array): MediaMessage | string {
  if (buf.byteLength < MEDIA_HEADER) return 'message shorter than its header';
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const kind = dv.getUint8(0);
  if (dv.getUint8(1) !== MEDIA_VERSION) return `unknown media message version ${dv.getUint8(1)}`;
  const flags = dv.getUint16(2, true);
  const a = dv.getUint32(4, true);
  const b = dv.getUint32(8, true);
  const len = dv.getUint32(12, true);
  const timeUs = dv.getFloat64(16, true);
  if (!Number.isFinite(timeUs) || timeUs < 0) return 'bad capture time';
  if (len !== buf.byteLength - MEDIA_HEADER) return `payload is ${buf.byteLength - MEDIA_HEADER} bytes, header says ${len}`;
  const payload = buf.subarray(MEDIA_HEADER);
  switch (kind) {
    case KIND_VIDEO:
      if (a === 0 || b === 0 || a % 2 || b % 2 || a > 8192 || b > 8192) return `bad frame size ${a}×${b}`;
      if (len !== a * b * 1.5) return `an I420 ${a}×${b} frame is ${a * b * 1.5} bytes, got ${len}`;
      return { kind: 'video', width: a, height: b, captureTimeUs: timeUs, data: payload };
    case KIND_AUDIO: {
      if (a < 8000 || a > 192000 || b < 1 || b > 8) return `bad audio format ${a} Hz × ${b}`;
      if (len % (2 * b) !== 0) return 'audio payload is not whole frames';
      // Copy: the payload may not be 2-byte aligned inside the message.
      const pcm = new Int16Array(len / 2);
      new Uint8Array(pcm.buffer).set(payload);
      return { kind: 'audio', sampleRate: a, channels: b, captureTimeUs: timeUs, data: pcm };
    }
    case KIND_CHUNK:
      if (len === 0) return 'empty video chunk';
      if (len > MAX_CHUNK_BYTES) return `video chunk of ${len} bytes is over the ${MAX_CHUNK_BYTES}-byte limit`;
      if (flags & ~1) return `unknown chunk flags 0x${flags.toString(16)}`;
      return { kind: 'chunk', group: a, keyframe: (flags & 1) === 1, encodeUs: b, captureTimeUs: timeUs, data: payload };
    case KIND_CONFIG:
      if (len === 0 || len > 64 * 1024) return `decoder config of ${len} bytes`;
      return { kind: 'config', group: a, data: payload };
    default:
      return `unknown media kind ${kind}`;
  }
}

/** Engine → renderer, as JSON text: which encodes to run, and requests for them. */
export type MediaControl =
  | { type: 'encoders'; path: 'webcodecs' | 'ffmpeg'; groups: RendererGroup[] }
  | { type: 'keyframe'; group: number }
  | { type: 'bitrate'; group: number; kbps: number };

export interface RendererGroup {
  group: number;
  /** WebCodecs codec string, e.g. avc1.42e01f. */
  codec: string;
  width: number;
  height: number;
  fps: number;
  bitrateKbps: number;
  /** Frames between scheduled keyframes (the fixed GOP outside requests). */
  keyintFrames: number;
}

/** A renderer's media channel as the engine sees it (the /media WebSocket, or the window's IPC). */
export interface MediaChannel {
  /** Media from the renderer; a returned reason means: close this channel with it. */
  push(msg: MediaMessage): string | undefined;
  /** The channel closed, with the reason when it was closed for a malformed message. */
  closed(problem?: string): void;
}

/** What the transports attach renderer media channels to (the Studio). */
export interface MediaEndpoint {
  attachMediaChannel(send: (msg: MediaControl) => void): MediaChannel;
}
