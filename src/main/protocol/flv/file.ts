// FLV file framing: header (FLV spec 10.1, E.2), tags (E.3 FLV File Body, E.4.1 FLVTAG header:
// TagType, DataSize UI24, Timestamp UI24 + TimestampExtended UI8, StreamID UI24 = 0) and
// PreviousTagSize. Used to read ffmpeg's `-f flv` output in tests and to write recordings.
import { ProtocolError } from '../../../shared/errors';
import { ByteWriter, concatBytes, copyBytes } from '../amf0/bytes';

export const FlvTagType = { Audio: 8, Video: 9, Script: 18 } as const;

export interface FlvTag {
  type: number;
  /** ms, 32-bit */
  timestamp: number;
  body: Uint8Array;
}

export function flvHeader(hasAudio: boolean, hasVideo: boolean): Uint8Array {
  return new ByteWriter(13)
    .u8(0x46).u8(0x4c).u8(0x56).u8(1)
    .u8((hasAudio ? 4 : 0) | (hasVideo ? 1 : 0))
    .u32(9)
    .u32(0) // PreviousTagSize0
    .finish();
}

/** One tag with its trailing PreviousTagSize. */
export function encodeFlvTag(tag: FlvTag): Uint8Array {
  if (tag.body.length > 0xffffff) throw new ProtocolError('FLV tag body larger than 16 MiB');
  const ts = tag.timestamp >>> 0;
  return new ByteWriter(15 + tag.body.length)
    .u8(tag.type & 0x1f)
    .u24(tag.body.length)
    .u24(ts & 0xffffff)
    .u8(ts >>> 24)
    .u24(0)
    .bytes(tag.body)
    .u32(11 + tag.body.length)
    .finish();
}

/** Incremental FLV reader: push bytes in any split, get whole tags out. */
export class FlvReader {
  private buf: Uint8Array = new Uint8Array(0);
  private headerDone = false;

  constructor(private readonly maxTagSize = 16 * 1024 * 1024) {}

  push(chunk: Uint8Array): FlvTag[] {
    this.buf = this.buf.length ? concatBytes([this.buf, chunk]) : chunk;
    const tags: FlvTag[] = [];
    let p = 0;
    const b = this.buf;
    if (!this.headerDone) {
      if (b.length < 9) return tags;
      if (b[0] !== 0x46 || b[1] !== 0x4c || b[2] !== 0x56) throw new ProtocolError('not an FLV stream (missing "FLV" signature)');
      const dataOffset = (((b[5] as number) << 24) | ((b[6] as number) << 16) | ((b[7] as number) << 8) | (b[8] as number)) >>> 0;
      if (dataOffset < 9 || dataOffset > 1024) throw new ProtocolError(`bad FLV header size ${dataOffset}`);
      if (b.length < dataOffset + 4) return tags;
      p = dataOffset + 4;
      this.headerDone = true;
    }
    for (;;) {
      if (b.length - p < 11) break;
      const size = ((b[p + 1] as number) << 16) | ((b[p + 2] as number) << 8) | (b[p + 3] as number);
      if (size > this.maxTagSize) throw new ProtocolError(`FLV tag of ${size} bytes exceeds the limit`);
      if (b.length - p < 11 + size + 4) break;
      const ts = (((b[p + 7] as number) << 24) | ((b[p + 4] as number) << 16) | ((b[p + 5] as number) << 8) | (b[p + 6] as number)) >>> 0;
      tags.push({ type: (b[p] as number) & 0x1f, timestamp: ts, body: copyBytes(b, p + 11, p + 11 + size) });
      p += 11 + size + 4;
    }
    this.buf = b.subarray(p);
    return tags;
  }
}
