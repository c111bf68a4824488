// Big-endian byte reading and writing over Uint8Array, shared by the AMF0, FLV and RTMP codecs.
// Every reader failure is a typed ProtocolError (docs/ARCHITECTURE.md habit 3), never a RangeError.
import { ProtocolError } from '../../../shared/errors';

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

export const encodeUtf8 = (s: string): Uint8Array => utf8Encoder.encode(s);
export const decodeUtf8 = (b: Uint8Array): string => utf8Decoder.decode(b);

/** A growable buffer with big-endian writers. */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initialSize = 256) {
    this.buf = new Uint8Array(Math.max(16, initialSize));
    this.view = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.view.setUint16(this.pos, v & 0xffff);
    this.pos += 2;
    return this;
  }

  u24(v: number): this {
    this.ensure(3);
    this.buf[this.pos++] = (v >>> 16) & 0xff;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  /** Signed 24-bit, two's complement (FLV SI24). */
  i24(v: number): this {
    return this.u24(v < 0 ? v + 0x1000000 : v);
  }

  u32(v: number): this {
    this.ensure(4);
    this.view.setUint32(this.pos, v >>> 0);
    this.pos += 4;
    return this;
  }

  u32le(v: number): this {
    this.ensure(4);
    this.view.setUint32(this.pos, v >>> 0, true);
    this.pos += 4;
    return this;
  }

  i16(v: number): this {
    this.ensure(2);
    this.view.setInt16(this.pos, v);
    this.pos += 2;
    return this;
  }

  f64(v: number): this {
    this.ensure(8);
    this.view.setFloat64(this.pos, v);
    this.pos += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** A copy of what was written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** A bounds-checked big-endian reader. */
export class ByteReader {
  private readonly view: DataView;
  pos = 0;

  constructor(
    readonly buf: Uint8Array,
    private readonly what = 'message',
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) {
      throw new ProtocolError(`truncated ${this.what}: needed ${n} more bytes at offset ${this.pos}, have ${this.remaining}`);
    }
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++] as number;
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  u24(): number {
    this.need(3);
    const b = this.buf;
    const v = ((b[this.pos] as number) << 16) | ((b[this.pos + 1] as number) << 8) | (b[this.pos + 2] as number);
    this.pos += 3;
    return v;
  }

  i24(): number {
    const v = this.u24();
    return v & 0x800000 ? v - 0x1000000 : v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  u32le(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  i16(): number {
    this.need(2);
    const v = this.view.getInt16(this.pos);
    this.pos += 2;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos);
    this.pos += 8;
    return v;
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  rest(): Uint8Array {
    return this.bytes(this.remaining);
  }
}

/** A copy of b[from, to) as a plain Uint8Array (Buffer#slice would return a view). */
export function copyBytes(b: Uint8Array, from = 0, to = b.length): Uint8Array {
  const out = new Uint8Array(Math.max(0, to - from));
  out.set(b.subarray(from, to));
  return out;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
