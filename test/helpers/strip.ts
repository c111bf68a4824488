// The timing strip: a machine-readable frame number in the top 32 rows of every I420 frame.
//
// 32 bits = 24-bit frame sequence number + CRC-8 (poly 0x07) over its 3 bytes. Bit i is a pair of
// 32×16 luma blocks at x = 32·i: the upper block (rows 0–15) is white for 1 and black for 0, the
// lower one (rows 16–31) is its inverse. A reader decides each bit by comparing the two blocks'
// mean luma (inner 16×8 pixels, away from deblocking at the edges), so a global brightness or
// contrast shift from a coarse quantiser cannot flip bits; the CRC rejects damaged frames (packet
// loss, concealment). Blocks are aligned to 16×16 macroblocks. The bench keeps seq → capture time
// (the µs handed to Encoder.pushVideoFrame), so the strip carries no clock, only identity. Pure.

export const STRIP_BITS = 32;
export const BLOCK_W = 32;
export const BLOCK_H = 16;
export const STRIP_ROWS = 2 * BLOCK_H;
export const STRIP_WIDTH = STRIP_BITS * BLOCK_W; // 1024 px: frames must be at least this wide
export const SEQ_MASK = 0xffffff;

export function crc8(bytes: readonly number[]): number {
  let c = 0;
  for (const b of bytes) {
    c ^= b & 0xff;
    for (let i = 0; i < 8; i++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
  }
  return c;
}

export function stripWord(seq: number): number {
  const s = seq & SEQ_MASK;
  const crc = crc8([(s >>> 16) & 0xff, (s >>> 8) & 0xff, s & 0xff]);
  return ((s << 8) | crc) >>> 0;
}

/** Draws the strip for `seq` into the luma plane (row stride = width) of an I420 frame. */
export function drawStrip(y: Uint8Array, width: number, seq: number): void {
  const word = stripWord(seq);
  for (let bit = 0; bit < STRIP_BITS; bit++) {
    const on = (word >>> (STRIP_BITS - 1 - bit)) & 1;
    const x0 = bit * BLOCK_W;
    for (let r = 0; r < STRIP_ROWS; r++) {
      const upper = r < BLOCK_H;
      const v = (upper ? on : 1 - on) ? 235 : 16;
      y.fill(v, r * width + x0, r * width + x0 + BLOCK_W);
    }
  }
}

/**
 * Reads the strip back from 8-bit luma rows (row stride `stride`, at least STRIP_ROWS rows, at
 * least STRIP_WIDTH columns; `step` = bytes per pixel, e.g. 4 for RGBA from a canvas).
 * Returns the sequence number, or undefined when the CRC does not match.
 */
export function readStrip(px: Uint8Array | Uint8ClampedArray, stride: number, step = 1): number | undefined {
  let word = 0;
  for (let bit = 0; bit < STRIP_BITS; bit++) {
    const x0 = bit * BLOCK_W + 8;
    let upper = 0;
    let lower = 0;
    for (let r = 4; r < 12; r++) {
      for (let x = x0; x < x0 + 16; x += 2) {
        upper += px[r * stride + x * step] ?? 0;
        lower += px[(r + BLOCK_H) * stride + x * step] ?? 0;
      }
    }
    word = ((word << 1) | (upper > lower ? 1 : 0)) >>> 0;
  }
  const seq = word >>> 8;
  const crc = crc8([(seq >>> 16) & 0xff, (seq >>> 8) & 0xff, seq & 0xff]);
  return crc === (word & 0xff) ? seq : undefined;
}

/** The same reader as a self-contained JS function body for the Chromium page (RGBA rows). */
export const READ_STRIP_JS = `
function crc8(bytes) { let c = 0; for (const b of bytes) { c ^= b & 0xff; for (let i = 0; i < 8; i++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff; } return c; }
function readStrip(px, stride, step) {
  let word = 0;
  for (let bit = 0; bit < ${STRIP_BITS}; bit++) {
    const x0 = bit * ${BLOCK_W} + 8; let upper = 0, lower = 0;
    for (let r = 4; r < 12; r++) for (let x = x0; x < x0 + 16; x += 2) { upper += px[r * stride + x * step]; lower += px[(r + ${BLOCK_H}) * stride + x * step]; }
    word = ((word << 1) | (upper > lower ? 1 : 0)) >>> 0;
  }
  const seq = word >>> 8;
  return crc8([(seq >>> 16) & 0xff, (seq >>> 8) & 0xff, seq & 0xff]) === (word & 0xff) ? seq : undefined;
}`;
