// FLV file framing: header (FLV spec 10.1, E.2), tags (E.3 FLV File Body, E.4.1 FLVTAG header:
// TagType, DataSize UI24, Timestamp UI24 + TimestampExtended UI8, StreamID UI24 = 0) and
// PreviousTagSize. The recorder writes its file with these (record/record-output.ts).
import { ProtocolError } from '../../../shared/errors';
import { ByteWriter } from '../amf0/bytes';

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
