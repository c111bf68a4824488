// Raw media from the renderer to the engine, one binary message per frame or audio chunk.
// Little-endian header of 24 bytes, then the payload:
//   0  u8  kind (1 = I420 video, 2 = interleaved f32 PCM)
//   1  u8  version (1)
//   2  u16 reserved
//   4  u32 video: width  | audio: sample rate
//   8  u32 video: height | audio: channels
//  12  u32 payload bytes
//  16  f64 capture time, µs on the wall clock (performance.timeOrigin + now())
// Video payload: Y (w·h), U (w/2·h/2), V (w/2·h/2). Audio payload: frames × channels f32.

export const MEDIA_HEADER = 24;
export const KIND_VIDEO = 1;
export const KIND_AUDIO = 2;

export type MediaMessage =
  | { kind: 'video'; width: number; height: number; captureTimeUs: number; data: Uint8Array }
  | { kind: 'audio'; sampleRate: number; channels: number; captureTimeUs: number; data: Float32Array };

export function encodeVideo(width: number, height: number, captureTimeUs: number, i420: Uint8Array): Uint8Array {
  const out = new Uint8Array(MEDIA_HEADER + i420.byteLength);
  out.set(i420, MEDIA_HEADER);
  writeVideoHeader(out, width, height, captureTimeUs);
  return out;
}

/**
 * Fills the header of a message whose I420 payload was already written at offset MEDIA_HEADER
 * (the compositor reads back straight into it: no extra copy of the frame).
 */
export function writeVideoHeader(msg: Uint8Array, width: number, height: number, captureTimeUs: number): Uint8Array {
  const dv = new DataView(msg.buffer, msg.byteOffset, MEDIA_HEADER);
  dv.setUint8(0, KIND_VIDEO);
  dv.setUint8(1, 1);
  dv.setUint16(2, 0, true);
  dv.setUint32(4, width, true);
  dv.setUint32(8, height, true);
  dv.setUint32(12, msg.byteLength - MEDIA_HEADER, true);
  dv.setFloat64(16, captureTimeUs, true);
  return msg;
}

export function encodeAudio(sampleRate: number, channels: number, captureTimeUs: number, pcm: Float32Array): Uint8Array {
  const bytes = pcm.byteLength;
  const out = new Uint8Array(MEDIA_HEADER + bytes);
  const dv = new DataView(out.buffer);
  dv.setUint8(0, KIND_AUDIO);
  dv.setUint8(1, 1);
  dv.setUint32(4, sampleRate, true);
  dv.setUint32(8, channels, true);
  dv.setUint32(12, bytes, true);
  dv.setFloat64(16, captureTimeUs, true);
  out.set(new Uint8Array(pcm.buffer, pcm.byteOffset, bytes), MEDIA_HEADER);
  return out;
}

/** Decodes one message; returns a reason string for anything malformed (never throws). */
export function decodeMedia(buf: Uint8Array): MediaMessage | string {
  if (buf.byteLength < MEDIA_HEADER) return 'message shorter than its header';
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const kind = dv.getUint8(0);
  if (dv.getUint8(1) !== 1) return `unknown media message version ${dv.getUint8(1)}`;
  const a = dv.getUint32(4, true);
  const b = dv.getUint32(8, true);
  const len = dv.getUint32(12, true);
  const captureTimeUs = dv.getFloat64(16, true);
  if (!Number.isFinite(captureTimeUs) || captureTimeUs < 0) return 'bad capture time';
  if (len !== buf.byteLength - MEDIA_HEADER) return `payload is ${buf.byteLength - MEDIA_HEADER} bytes, header says ${len}`;
  const payload = buf.subarray(MEDIA_HEADER);
  if (kind === KIND_VIDEO) {
    if (a === 0 || b === 0 || a % 2 || b % 2 || a > 8192 || b > 8192) return `bad frame size ${a}×${b}`;
    if (len !== a * b * 1.5) return `an I420 ${a}×${b} frame is ${a * b * 1.5} bytes, got ${len}`;
    return { kind: 'video', width: a, height: b, captureTimeUs, data: payload };
  }
  if (kind === KIND_AUDIO) {
    if (a < 8000 || a > 192000 || b < 1 || b > 8) return `bad audio format ${a} Hz × ${b}`;
    if (len % (4 * b) !== 0) return 'audio payload is not whole frames';
    // Copy: the payload may not be 4-byte aligned inside the message.
    const pcm = new Float32Array(len / 4);
    new Uint8Array(pcm.buffer).set(payload);
    return { kind: 'audio', sampleRate: a, channels: b, captureTimeUs, data: pcm };
  }
  return `unknown media kind ${kind}`;
}
