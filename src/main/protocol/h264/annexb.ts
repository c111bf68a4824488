// Annex B byte streams: start-code delimited NAL units. ISO/IEC 14496-10 Annex B (B.1.1
// byte_stream_nal_unit syntax, B.2 byte stream NAL unit decoding): a NAL unit follows a 3-byte
// 0x000001 start code (optionally preceded by zero_byte), and trailing_zero_8bits after a unit
// belong to no unit. AVCC form (ISO/IEC 14496-15 5.3.2) replaces start codes by big-endian lengths.
import { ProtocolError } from '../../../shared/errors';

const START_CODE = new Uint8Array([0, 0, 0, 1]);

/**
 * Index of the next 0x000001 at or after `from`, or -1. Returns the position of the 0x01 byte's
 * first zero (i.e. the 3-byte start code), so the caller strips preceding zeros itself.
 */
export function findStartCode(buf: Uint8Array, from: number): number {
  for (let i = from; i + 2 < buf.length; i++) {
    if (buf[i + 2]! > 1) {
      i += 2; // neither this nor the next two positions can start 00 00 01
      continue;
    }
    if (buf[i] === 0 && buf[i + 1] === 0 && buf[i + 2] === 1) return i;
  }
  return -1;
}

/** Drop trailing zero bytes (trailing_zero_8bits, or the zero_byte of the next 4-byte start code). */
export function trimTrailingZeros(buf: Uint8Array, start: number, end: number): number {
  let e = end;
  while (e > start && buf[e - 1] === 0) e--;
  return e;
}

/** Split a complete Annex B buffer into NAL units (views, no copies). Leading garbage is ignored. */
export function splitAnnexB(buf: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let sc = findStartCode(buf, 0);
  while (sc >= 0) {
    const begin = sc + 3;
    const next = findStartCode(buf, begin);
    const end = trimTrailingZeros(buf, begin, next < 0 ? buf.length : next);
    if (end > begin) out.push(buf.subarray(begin, end));
    sc = next;
  }
  return out;
}

/** Join NAL units into one Annex B buffer with 4-byte start codes. */
export function joinAnnexB(nalus: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const n of nalus) size += 4 + n.length;
  const out = new Uint8Array(size);
  let off = 0;
  for (const n of nalus) {
    out.set(START_CODE, off);
    out.set(n, off + 4);
    off += 4 + n.length;
  }
  return out;
}

/** Annex B → AVCC (length-prefixed, ISO/IEC 14496-15 5.3.2 / 5.3.3.1 lengthSizeMinusOne + 1). */
export function annexBToAvcc(annexB: Uint8Array, lengthSize: 1 | 2 | 4 = 4): Uint8Array {
  return nalusToAvcc(splitAnnexB(annexB), lengthSize);
}

/** NAL units → AVCC sample data with `lengthSize`-byte big-endian lengths. */
export function nalusToAvcc(nalus: readonly Uint8Array[], lengthSize: 1 | 2 | 4 = 4): Uint8Array {
  let size = 0;
  for (const n of nalus) size += lengthSize + n.length;
  const out = new Uint8Array(size);
  let off = 0;
  const limit = lengthSize === 4 ? 0xffffffff : lengthSize === 2 ? 0xffff : 0xff;
  for (const n of nalus) {
    if (n.length > limit) throw new ProtocolError(`NAL unit of ${n.length} bytes does not fit a ${lengthSize}-byte length`);
    for (let b = lengthSize - 1; b >= 0; b--) out[off + lengthSize - 1 - b] = (n.length >>> (8 * b)) & 0xff;
    out.set(n, off + lengthSize);
    off += lengthSize + n.length;
  }
  return out;
}

/** AVCC sample data → NAL units (views). Throws ProtocolError on a length past the end. */
export function splitAvcc(data: Uint8Array, lengthSize: 1 | 2 | 4 = 4): Uint8Array[] {
  const out: Uint8Array[] = [];
  let off = 0;
  while (off < data.length) {
    if (off + lengthSize > data.length) throw new ProtocolError('truncated AVCC length field');
    let len = 0;
    for (let b = 0; b < lengthSize; b++) len = len * 256 + data[off + b]!;
    off += lengthSize;
    if (off + len > data.length) throw new ProtocolError(`AVCC NAL length ${len} runs past the sample end`);
    out.push(data.subarray(off, off + len));
    off += len;
  }
  return out;
}
