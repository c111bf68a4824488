// RTMP chunk writer. Spec: RTMP Specification 1.0, 5.3.1 chunk format: basic header (5.3.1.1,
// 1-3 bytes by chunk stream id), message header types 0-3 (5.3.1.2.1-4), extended timestamp
// (5.3.1.3: 0xFFFFFF in the 24-bit field, the full value in 4 bytes after the header, repeated on
// every type-3 chunk of the message, as FFmpeg, OBS and nginx-rtmp do), 5.3.2 examples.
// Header choice per new message: type 0 on a fresh chunk stream, a new message stream id or a
// timestamp that goes back; type 1 when length or type changes; type 2 when only the delta
// changes; type 3 only when everything including the delta repeats and the previous header was
// not type 0 (servers disagree on what delta a type 3 after a type 0 implies).
// Output: each message's chunks in one contiguous buffer, carved from a shared output block
// (OUTPUT_BLOCK_SIZE), so consecutive messages are adjacent views the transport can send in one
// write; a payload given in parts is copied straight into the chunks (docs/benchmarks/rtmp.md).
import { ProtocolError } from '../../../shared/errors';
import type { RtmpMessage } from './messages';

/**
 * A message to send. Its payload may be given in parts (e.g. an FLV tag header, then each NAL
 * unit with its length): the writer copies them straight into the chunks, so the caller need not
 * first join them into one buffer.
 */
export interface OutgoingMessage extends Omit<RtmpMessage, 'payload'> {
  payload: Uint8Array | readonly Uint8Array[];
}

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
  const out = new Uint8Array(csid <= 63 ? 1 : csid <= 319 ? 2 : 3);
  putBasicHeader(out, 0, fmt, csid);
  return out;
}

/**
 * Encoded messages are carved out of one shared block of this size, back to back, instead of one
 * allocation each (a fresh zero-filled ArrayBuffer per audio or video message costs malloc,
 * memset and V8 external-memory accounting, which drives major GCs). A block is never written
 * twice: once full, the writer starts a new one, and the old block lives on only through the
 * views already handed out, until the transport has sent them. Messages over a quarter of it
 * (keyframes) get a buffer of their own.
 */
export const OUTPUT_BLOCK_SIZE = 256 * 1024;

export class ChunkWriter {
  private size = DEFAULT_CHUNK_SIZE;
  private readonly streams = new Map<number, OutStream>();
  private block = new Uint8Array(0);
  private used = 0;

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

  /**
   * Encode one message as its chunks (5.3.1), in one buffer: a view into the current output
   * block, right after the previous message's. The writer never touches it again, so the caller
   * may keep it as long as needed.
   */
  write(msg: OutgoingMessage): Uint8Array {
    const payload = msg.payload;
    const len = payloadLength(payload);
    if (len > 0xffffff) throw new ProtocolError(`message of ${len} bytes exceeds the 24-bit length field`);
    const csid = msg.csid;
    if (!Number.isInteger(csid) || csid < 2 || csid > MAX_CSID) throw new ProtocolError(`invalid chunk stream id ${csid}`);
    const ts = msg.timestamp >>> 0;
    const prev = this.streams.get(csid);
    let fmt: number;
    const delta = prev ? (ts - prev.timestamp) >>> 0 : 0;
    if (!prev || prev.streamId !== msg.streamId || ts < prev.timestamp) fmt = 0;
    else if (prev.length !== len || prev.typeId !== msg.typeId) fmt = 1;
    else if (prev.delta !== delta) fmt = 2;
    else fmt = 3;
    const field = fmt === 0 ? ts : delta; // value carried in the timestamp field (absolute or delta)
    const extended = field >= MAX_TIMESTAMP_FIELD;
    const basicLen = csid <= 63 ? 1 : csid <= 319 ? 2 : 3;
    const mhLen = fmt === 0 ? 11 : fmt === 1 ? 7 : fmt === 2 ? 3 : 0;
    const ext = extended ? 4 : 0;
    const chunks = Math.max(1, Math.ceil(len / this.size));
    const total = basicLen + mhLen + ext + len + (chunks - 1) * (basicLen + ext);
    const out = this.alloc(total);
    let o = putBasicHeader(out, 0, fmt, csid);
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
      o = putU32LE(out, o, msg.streamId >>> 0); // message stream id is little-endian (5.3.1.2.1)
    }
    if (extended) o = putU32BE(out, o, field);
    // The payload, split at every chunk size bytes (5.3.1); parts are copied straight in.
    let room = this.size; // payload bytes left in the current chunk
    for (const part of payload instanceof Uint8Array ? [payload] : payload) {
      for (let from = 0; from < part.length; ) {
        if (room === 0) {
          o = putBasicHeader(out, o, 3, csid); // continuation chunk: type 3 (5.3.1.2.4)
          if (extended) o = putU32BE(out, o, field); // repeated on every type 3 chunk (5.3.1.3)
          room = this.size;
        }
        const n = Math.min(room, part.length - from);
        out.set(n === part.length ? part : part.subarray(from, from + n), o);
        o += n;
        from += n;
        room -= n;
      }
    }
    this.streams.set(csid, {
      timestamp: ts,
      delta: fmt === 0 ? -1 : delta,
      length: len,
      typeId: msg.typeId,
      streamId: msg.streamId,
    });
    return out;
  }

  /** `n` fresh bytes: the next slice of the current output block, or a new block. */
  private alloc(n: number): Uint8Array {
    if (n > OUTPUT_BLOCK_SIZE / 4) return new Uint8Array(n); // a keyframe: its own buffer
    if (this.used + n > this.block.length) {
      this.block = new Uint8Array(OUTPUT_BLOCK_SIZE);
      this.used = 0;
    }
    const out = this.block.subarray(this.used, this.used + n);
    this.used += n;
    return out;
  }
}

function payloadLength(payload: Uint8Array | readonly Uint8Array[]): number {
  if (payload instanceof Uint8Array) return payload.length;
  let n = 0;
  for (const p of payload) n += p.length;
  return n;
}

/** Basic header (5.3.1.1) at `o`; returns the offset after it. csid already validated. */
function putBasicHeader(out: Uint8Array, o: number, fmt: number, csid: number): number {
  if (csid <= 63) {
    out[o] = (fmt << 6) | csid;
    return o + 1;
  }
  if (csid <= 319) {
    out[o] = fmt << 6;
    out[o + 1] = csid - 64;
    return o + 2;
  }
  const v = csid - 64;
  out[o] = (fmt << 6) | 1;
  out[o + 1] = v & 0xff;
  out[o + 2] = v >> 8;
  return o + 3;
}

function putU32BE(out: Uint8Array, o: number, v: number): number {
  out[o] = v >>> 24;
  out[o + 1] = (v >>> 16) & 0xff;
  out[o + 2] = (v >>> 8) & 0xff;
  out[o + 3] = v & 0xff;
  return o + 4;
}

function putU32LE(out: Uint8Array, o: number, v: number): number {
  out[o] = v & 0xff;
  out[o + 1] = (v >>> 8) & 0xff;
  out[o + 2] = (v >>> 16) & 0xff;
  out[o + 3] = v >>> 24;
  return o + 4;
}
