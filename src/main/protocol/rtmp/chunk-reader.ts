// RTMP chunk reader (de-chunker). Spec: RTMP Specification 1.0, 5.3.1 (basic header 5.3.1.1,
// message header types 0-3 5.3.1.2, extended timestamp 5.3.1.3, also on type-3 chunks), 5.4.1
// (Set Chunk Size applies to the chunks that follow it) and 5.4.2 (Abort drops the partial
// message on a chunk stream). Input may arrive split anywhere: a chunk is consumed only once it
// is complete, so any split gives the same messages. Hostile input gives a ProtocolError; memory
// is bounded by maxMessageSize, maxChunkStreams and maxPendingBytes.
import { ProtocolError } from '../../../shared/errors';
import { concatBytes, copyBytes } from '../amf0/bytes';
import { MAX_TIMESTAMP_FIELD, DEFAULT_CHUNK_SIZE } from './chunk-writer';
import { MessageType, type RtmpMessage } from './messages';

export interface ChunkReaderOptions {
  /** Largest message accepted (the spec's limit is 16 MiB − 1). */
  maxMessageSize?: number;
  /** Most chunk streams tracked at once. */
  maxChunkStreams?: number;
  /** Most bytes held in partial messages across all chunk streams. */
  maxPendingBytes?: number;
}

interface InStream {
  timestamp: number;
  /** The timestamp field of the last type 0/1/2 header: delta for types 1/2, absolute for 0. */
  delta: number;
  length: number;
  typeId: number;
  streamId: number;
  /** The last type 0/1/2 header used the extended timestamp. */
  extended: boolean;
  parts: Uint8Array[];
  received: number;
}

export class ChunkReader {
  private size = DEFAULT_CHUNK_SIZE;
  private readonly streams = new Map<number, InStream>();
  private pending: Uint8Array = new Uint8Array(0);
  private pendingBytes = 0;
  /** Every byte pushed so far (for Acknowledgement sequence numbers, 5.4.3). */
  bytesReceived = 0;
  private readonly maxMessageSize: number;
  private readonly maxChunkStreams: number;
  private readonly maxPendingBytes: number;

  constructor(opts: ChunkReaderOptions = {}) {
    this.maxMessageSize = opts.maxMessageSize ?? 0xffffff;
    this.maxChunkStreams = opts.maxChunkStreams ?? 64;
    this.maxPendingBytes = opts.maxPendingBytes ?? 32 * 1024 * 1024;
  }

  get chunkSize(): number {
    return this.size;
  }

  /** Bytes held back waiting for the rest of a chunk. */
  get buffered(): number {
    return this.pending.length;
  }

  /** Feed bytes; returns every message completed by them, in order. */
  push(data: Uint8Array): RtmpMessage[] {
    this.bytesReceived += data.length;
    const buf = this.pending.length ? concatBytes([this.pending, data]) : data;
    const out: RtmpMessage[] = [];
    let p = 0;
    for (;;) {
      const used = this.chunk(buf, p, out);
      if (used === 0) break;
      p += used;
    }
    this.pending = p === buf.length ? new Uint8Array(0) : copyBytes(buf, p);
    return out;
  }

  /** Parse one chunk at `p`; returns the bytes it used, or 0 when it is not complete yet. */
  private chunk(b: Uint8Array, p: number, out: RtmpMessage[]): number {
    const avail = b.length - p;
    if (avail < 1) return 0;
    const b0 = b[p] as number;
    const fmt = b0 >> 6;
    let csid = b0 & 0x3f;
    let o = p + 1;
    if (csid === 0) {
      if (avail < 2) return 0;
      csid = 64 + (b[o] as number);
      o += 1;
    } else if (csid === 1) {
      if (avail < 3) return 0;
      csid = 64 + (b[o] as number) + ((b[o + 1] as number) << 8);
      o += 2;
    }
    const mhLen = fmt === 0 ? 11 : fmt === 1 ? 7 : fmt === 2 ? 3 : 0;
    if (b.length - o < mhLen) return 0;
    const prev = this.streams.get(csid);
    if (fmt !== 0 && !prev) throw new ProtocolError(`chunk type ${fmt} on chunk stream ${csid} before any type 0 header`);
    if (fmt === 0 && !prev && this.streams.size >= this.maxChunkStreams) {
      throw new ProtocolError(`more than ${this.maxChunkStreams} chunk streams in use`);
    }
    let field = 0;
    let length = prev?.length ?? 0;
    let typeId = prev?.typeId ?? 0;
    let streamId = prev?.streamId ?? 0;
    if (fmt <= 2) {
      field = ((b[o] as number) << 16) | ((b[o + 1] as number) << 8) | (b[o + 2] as number);
      if (fmt <= 1) {
        length = ((b[o + 3] as number) << 16) | ((b[o + 4] as number) << 8) | (b[o + 5] as number);
        typeId = b[o + 6] as number;
      }
      if (fmt === 0) {
        streamId = ((b[o + 7] as number) | ((b[o + 8] as number) << 8) | ((b[o + 9] as number) << 16) | ((b[o + 10] as number) << 24)) >>> 0;
      }
    }
    o += mhLen;
    const continuing = fmt === 3 && prev !== undefined && prev.received > 0;
    const extended = fmt <= 2 ? field === MAX_TIMESTAMP_FIELD : (prev?.extended ?? false);
    if (extended) {
      if (b.length - o < 4) return 0;
      const ext = (((b[o] as number) << 24) | ((b[o + 1] as number) << 16) | ((b[o + 2] as number) << 8) | (b[o + 3] as number)) >>> 0;
      if (fmt <= 2) field = ext;
      o += 4;
    }
    if (length > this.maxMessageSize) throw new ProtocolError(`message of ${length} bytes exceeds the ${this.maxMessageSize}-byte limit`);
    const received = continuing ? prev.received : 0;
    const take = Math.min(this.size, length - received);
    if (b.length - o < take) return 0;
    if (this.pendingBytes + take > this.maxPendingBytes) throw new ProtocolError('too many bytes in partial messages');

    // The chunk is complete: commit.
    let st = prev;
    if (!st) {
      st = { timestamp: 0, delta: 0, length: 0, typeId: 0, streamId: 0, extended: false, parts: [], received: 0 };
      this.streams.set(csid, st);
    }
    if (!continuing) {
      // A new header in the middle of a message: the partial message is dropped (as FFmpeg does).
      this.pendingBytes -= st.received;
      if (fmt === 0) st.timestamp = field;
      else if (fmt === 3) st.timestamp = (st.timestamp + st.delta) >>> 0;
      else st.timestamp = (st.timestamp + field) >>> 0;
      if (fmt <= 2) {
        st.delta = field;
        st.extended = extended;
      }
      st.length = length;
      st.typeId = typeId;
      st.streamId = streamId;
      st.parts = [];
      st.received = 0;
    }
    if (take > 0) {
      st.parts.push(copyBytes(b, o, o + take));
      st.received += take;
      this.pendingBytes += take;
    }
    o += take;
    if (st.received === st.length) {
      const payload = st.parts.length === 1 ? (st.parts[0] as Uint8Array) : concatBytes(st.parts);
      this.pendingBytes -= st.received;
      st.parts = [];
      st.received = 0;
      const msg: RtmpMessage = { csid, timestamp: st.timestamp, typeId: st.typeId, streamId: st.streamId, payload };
      this.control(msg);
      out.push(msg);
    }
    return o - p;
  }

  /** Apply the control messages that change how the following chunks are read. */
  private control(msg: RtmpMessage): void {
    if (msg.streamId !== 0) return;
    if (msg.typeId === MessageType.SetChunkSize) {
      if (msg.payload.length < 4) throw new ProtocolError('truncated Set Chunk Size message');
      const v = new DataView(msg.payload.buffer, msg.payload.byteOffset, 4).getUint32(0) & 0x7fffffff;
      if (v < 1) throw new ProtocolError('Set Chunk Size of 0');
      this.size = Math.min(v, 0xffffff);
    } else if (msg.typeId === MessageType.Abort) {
      if (msg.payload.length < 4) throw new ProtocolError('truncated Abort message');
      const target = new DataView(msg.payload.buffer, msg.payload.byteOffset, 4).getUint32(0);
      const st = this.streams.get(target);
      if (st && st.received > 0) {
        this.pendingBytes -= st.received;
        st.parts = [];
        st.received = 0;
      }
    }
  }
}
