// RTMP chunk writer. Spec: RTMP Specification 1.0, 5.3.1 chunk format: basic header (5.3.1.1,
// 1-3 bytes by chunk stream id), message header types 0-3 (5.3.1.2.1-4), extended timestamp
// (5.3.1.3: 0xFFFFFF in the 24-bit field, the full value in 4 bytes after the header, repeated on
// every type-3 chunk of the message, as FFmpeg, OBS and nginx-rtmp do), 5.3.2 examples.
// Header choice per new message: type 0 on a fresh chunk stream, a new message stream id or a
// timestamp that goes back; type 1 when length or type changes; type 2 when only the delta
// changes; type 3 only when everything including the delta repeats and the previous header was
// not type 0 (servers disagree on what delta a type 3 after a type 0 implies).
import { ProtocolError } from '../../../shared/errors';
import type { RtmpMessage } from './messages';

export const MAX_TIMESTAMP_FIELD = 0xffffff;
export const DEFAULT_CHUNK_SIZE = 128;
export const MAX_CSID = 65599;

interface OutStream {
  timestamp: number;
  /** Delta of the last header; -1 after a type 0 header. */
  delta: number;
  length: number;
  typeId: number;
  streamId: number;
}

/** Encode the basic header (5.3.1.1). */
export function basicHeader(fmt: number, csid: number): Uint8Array {
  if (!Number.isInteger(csid) || csid < 2 || csid > MAX_CSID) throw new ProtocolError(`invalid chunk stream id ${csid}`);
  if (csid <= 63) return new Uint8Array([(fmt << 6) | csid]);
  if (csid <= 319) return new Uint8Array([fmt << 6, csid - 64]);
  const v = csid - 64;
  return new Uint8Array([(fmt << 6) | 1, v & 0xff, v >> 8]);
}

export class ChunkWriter {
  private size = DEFAULT_CHUNK_SIZE;
  private readonly streams = new Map<number, OutStream>();

  get chunkSize(): number {
    return this.size;
  }

  /** Use a new outgoing chunk size. Call right after writing the Set Chunk Size message. */
  setChunkSize(size: number): void {
    if (!Number.isInteger(size) || size < 1 || size > 0x7fffffff) throw new ProtocolError(`invalid chunk size ${size}`);
    this.size = size;
  }

  /** Forget the header state of every chunk stream (a new connection). */
  reset(): void {
    this.streams.clear();
    this.size = DEFAULT_CHUNK_SIZE;
  }

  /** Encode one message as its chunks, in one buffer. */
  write(msg: RtmpMessage): Uint8Array {
    const len = msg.payload.length;
    if (len > 0xffffff) throw new ProtocolError(`message of ${len} bytes exceeds the 24-bit length field`);
    const ts = msg.timestamp >>> 0;
    const prev = this.streams.get(msg.csid);
    let fmt: number;
    let field: number; // value carried in the timestamp field (absolute or delta)
    const delta = prev ? (ts - prev.timestamp) >>> 0 : 0;
    if (!prev || prev.streamId !== msg.streamId || ts < prev.timestamp) {
      fmt = 0;
      field = ts;
    } else if (prev.length !== len || prev.typeId !== msg.typeId) {
      fmt = 1;
      field = delta;
    } else if (prev.delta !== delta) {
      fmt = 2;
      field = delta;
    } else {
      fmt = 3;
      field = delta;
    }
    const extended = field >= MAX_TIMESTAMP_FIELD;
    const basic = basicHeader(fmt, msg.csid);
    const basic3 = basicHeader(3, msg.csid);
    const mhLen = fmt === 0 ? 11 : fmt === 1 ? 7 : fmt === 2 ? 3 : 0;
    const ext = extended ? 4 : 0;
    const chunks = Math.max(1, Math.ceil(len / this.size));
    const total = basic.length + mhLen + ext + len + (chunks - 1) * (basic3.length + ext);
    const out = new Uint8Array(total);
    const view = new DataView(out.buffer);
    let o = 0;
    out.set(basic, o);
    o += basic.length;
    if (fmt <= 2) {
      const f = extended ? MAX_TIMESTAMP_FIELD : field;
      out[o] = f >>> 16;
      out[o + 1] = (f >>> 8) & 0xff;
      out[o + 2] = f & 0xff;
      o += 3;
    }
    if (fmt <= 1) {
      out[o] = len >>> 16;
      out[o + 1] = (len >>> 8) & 0xff;
      out[o + 2] = len & 0xff;
      out[o + 3] = msg.typeId;
      o += 4;
    }
    if (fmt === 0) {
      view.setUint32(o, msg.streamId >>> 0, true); // message stream id is little-endian (5.3.1.2.1)
      o += 4;
    }
    if (extended) {
      view.setUint32(o, field);
      o += 4;
    }
    for (let i = 0; i < chunks; i++) {
      if (i > 0) {
        out.set(basic3, o);
        o += basic3.length;
        if (extended) {
          view.setUint32(o, field);
          o += 4;
        }
      }
      const from = i * this.size;
      const part = msg.payload.subarray(from, Math.min(len, from + this.size));
      out.set(part, o);
      o += part.length;
    }
    this.streams.set(msg.csid, {
      timestamp: ts,
      delta: fmt === 0 ? -1 : delta,
      length: len,
      typeId: msg.typeId,
      streamId: msg.streamId,
    });
    return out;
  }
}
