// FLV tag bodies as carried in RTMP audio (8), video (9) and data (18) messages.
// Spec: Adobe FLV and F4V file format specification 10.1, Annex E.4.2.1 (AUDIODATA,
// AACAUDIODATA), E.4.3.1 (VIDEODATA, AVCVIDEOPACKET), E.4.4 (SCRIPTDATA, onMetaData E.5);
// Enhanced RTMP v1/v2 (veovera/enhanced-rtmp), "Extending the VideoTagHeader": IsExHeader,
// VideoPacketType, FourCC, SI24 composition time for CodedFrames of avc1/hvc1.
import { ProtocolError } from '../../../shared/errors';
import { Amf0EcmaArray, encodeAmf0, type Amf0Object } from '../amf0/amf0';
import { ByteReader, ByteWriter } from '../amf0/bytes';

/** E.4.3.1 FrameType (upper nibble of the first byte; lower 3 bits of it in the ex header). */
export const FrameType = { Key: 1, Inter: 2, Disposable: 3, Generated: 4, Command: 5 } as const;
/** E.4.3.1 CodecID. */
export const VideoCodecId = { Avc: 7 } as const;
/** E.4.3.1 AVCPacketType. */
export const AvcPacketType = { SequenceHeader: 0, Nalu: 1, EndOfSequence: 2 } as const;
/** E.4.2.1 SoundFormat. */
export const SoundFormat = { Aac: 10 } as const;
export const AacPacketType = { SequenceHeader: 0, Raw: 1 } as const;
/** Enhanced RTMP VideoPacketType. */
export const ExVideoPacketType = {
  SequenceStart: 0,
  CodedFrames: 1,
  SequenceEnd: 2,
  CodedFramesX: 3,
  Metadata: 4,
  Mpeg2TsSequenceStart: 5,
  Multitrack: 6,
} as const;

export type FourCc = 'avc1' | 'hvc1' | 'av01';

/** A FourCC as the number onMetaData's videocodecid carries (Enhanced RTMP): 'hvc1' = 1752589105. */
export function fourCcNumber(f: string): number {
  if (f.length !== 4) throw new ProtocolError(`FourCC must have 4 characters: ${JSON.stringify(f)}`);
  return ((f.charCodeAt(0) << 24) | (f.charCodeAt(1) << 16) | (f.charCodeAt(2) << 8) | f.charCodeAt(3)) >>> 0;
}

const fourCcBytes = (f: FourCc): Uint8Array => new Uint8Array([f.charCodeAt(0), f.charCodeAt(1), f.charCodeAt(2), f.charCodeAt(3)]);

const checkCts = (cts: number): number => {
  if (!Number.isInteger(cts) || cts < -0x800000 || cts > 0x7fffff) throw new ProtocolError(`composition time ${cts} out of SI24 range`);
  return cts;
};

// ---------------------------------------------------------------------------------------------
// Legacy AVC (codec id 7) — track 0 stays legacy so every server can read it.

/** AVC sequence header: key frame, codec 7, AVCPacketType 0, CompositionTime 0, the record. */
export function avcSequenceHeaderTag(record: Uint8Array): Uint8Array {
  return new ByteWriter(5 + record.length)
    .u8((FrameType.Key << 4) | VideoCodecId.Avc)
    .u8(AvcPacketType.SequenceHeader)
    .i24(0)
    .bytes(record)
    .finish();
}

/** One AVC access unit (AVCC length-prefixed NAL units). `cts` = pts − dts in ms. */
export function avcFrameTag(avcc: Uint8Array, keyframe: boolean, cts = 0): Uint8Array {
  return new ByteWriter(5 + avcc.length)
    .u8(((keyframe ? FrameType.Key : FrameType.Inter) << 4) | VideoCodecId.Avc)
    .u8(AvcPacketType.Nalu)
    .i24(checkCts(cts))
    .bytes(avcc)
    .finish();
}

export function avcEndOfSequenceTag(): Uint8Array {
  return new Uint8Array([(FrameType.Key << 4) | VideoCodecId.Avc, AvcPacketType.EndOfSequence, 0, 0, 0]);
}

// ---------------------------------------------------------------------------------------------
// AAC (sound format 10). E.4.2.1: for AAC, SoundRate is always 3 and SoundType always 1.

const AAC_FLAGS = (SoundFormat.Aac << 4) | (3 << 2) | (1 << 1) | 1; // 0xAF

export function aacSequenceHeaderTag(asc: Uint8Array): Uint8Array {
  return new ByteWriter(2 + asc.length).u8(AAC_FLAGS).u8(AacPacketType.SequenceHeader).bytes(asc).finish();
}

export function aacFrameTag(raw: Uint8Array): Uint8Array {
  return new ByteWriter(2 + raw.length).u8(AAC_FLAGS).u8(AacPacketType.Raw).bytes(raw).finish();
}

// ---------------------------------------------------------------------------------------------
// Enhanced RTMP: ex header byte = 0x80 | frameType << 4 | packetType, then the FourCC.

function exHeader(w: ByteWriter, frameType: number, packetType: number, fourCc: FourCc): ByteWriter {
  return w.u8(0x80 | ((frameType & 7) << 4) | (packetType & 0x0f)).bytes(fourCcBytes(fourCc));
}

/** SequenceStart: the codec's configuration record (hvcC, av1C or avcC). */
export function exSequenceStartTag(fourCc: FourCc, record: Uint8Array): Uint8Array {
  return exHeader(new ByteWriter(5 + record.length), FrameType.Key, ExVideoPacketType.SequenceStart, fourCc).bytes(record).finish();
}

export function exSequenceEndTag(fourCc: FourCc): Uint8Array {
  return exHeader(new ByteWriter(5), FrameType.Key, ExVideoPacketType.SequenceEnd, fourCc).finish();
}

/**
 * Coded frames. avc1/hvc1: CodedFrames with an SI24 composition time, or CodedFramesX (no
 * composition time field) when pts == dts. av01 has no composition time: always CodedFrames.
 */
export function exCodedFramesTag(fourCc: FourCc, data: Uint8Array, keyframe: boolean, cts = 0): Uint8Array {
  const ft = keyframe ? FrameType.Key : FrameType.Inter;
  const w = new ByteWriter(8 + data.length);
  if (fourCc === 'av01') exHeader(w, ft, ExVideoPacketType.CodedFrames, fourCc);
  else if (checkCts(cts) === 0) exHeader(w, ft, ExVideoPacketType.CodedFramesX, fourCc);
  else exHeader(w, ft, ExVideoPacketType.CodedFrames, fourCc).i24(cts);
  return w.bytes(data).finish();
}

// ---------------------------------------------------------------------------------------------
// onMetaData (E.5), sent as `@setDataFrame` so the server stores it for later subscribers.

export interface StreamMetadata {
  width?: number;
  height?: number;
  framerate?: number;
  /** kbit/s */
  videodatarate?: number;
  /** kbit/s */
  audiodatarate?: number;
  /** 7 for legacy AVC, otherwise fourCcNumber('hvc1' | 'av01'). */
  videocodecid?: number;
  /** 10 for AAC. */
  audiocodecid?: number;
  audiosamplerate?: number;
  audiochannels?: number;
  encoder?: string;
}

export function setDataFrameBody(meta: StreamMetadata): Uint8Array {
  const m: Amf0Object = { duration: 0, fileSize: 0 };
  if (meta.width !== undefined) m.width = meta.width;
  if (meta.height !== undefined) m.height = meta.height;
  if (meta.videocodecid !== undefined) m.videocodecid = meta.videocodecid;
  if (meta.videodatarate !== undefined) m.videodatarate = meta.videodatarate;
  if (meta.framerate !== undefined) m.framerate = meta.framerate;
  if (meta.audiocodecid !== undefined) m.audiocodecid = meta.audiocodecid;
  if (meta.audiodatarate !== undefined) m.audiodatarate = meta.audiodatarate;
  if (meta.audiosamplerate !== undefined) m.audiosamplerate = meta.audiosamplerate;
  if (meta.audiochannels !== undefined) {
    m.audiosamplesize = 16;
    m.stereo = meta.audiochannels >= 2;
    m.audiochannels = meta.audiochannels;
  }
  if (meta.encoder !== undefined) m.encoder = meta.encoder;
  return encodeAmf0('@setDataFrame', 'onMetaData', new Amf0EcmaArray(m));
}

// ---------------------------------------------------------------------------------------------
// Parsing (for tests, captured sessions and the FLV reader).

export interface ParsedVideoTag {
  enhanced: boolean;
  frameType: number;
  /** Legacy codec id (7 = AVC), or 0 for enhanced tags. */
  codecId: number;
  fourCc?: string;
  /** AVCPacketType (legacy) or VideoPacketType (enhanced). */
  packetType: number;
  cts: number;
  data: Uint8Array;
}

export function parseVideoTag(body: Uint8Array): ParsedVideoTag {
  const r = new ByteReader(body, 'FLV video tag');
  const b0 = r.u8();
  if (b0 & 0x80) {
    const packetType = b0 & 0x0f;
    const frameType = (b0 >> 4) & 7;
    if (packetType === ExVideoPacketType.Multitrack) throw new ProtocolError('multitrack video tags are not supported');
    const f = r.bytes(4);
    const fourCc = String.fromCharCode(...f);
    let cts = 0;
    if (packetType === ExVideoPacketType.CodedFrames && fourCc !== 'av01') cts = r.i24();
    return { enhanced: true, frameType, codecId: 0, fourCc, packetType, cts, data: r.rest() };
  }
  const frameType = b0 >> 4;
  const codecId = b0 & 0x0f;
  if (codecId !== VideoCodecId.Avc) return { enhanced: false, frameType, codecId, packetType: -1, cts: 0, data: r.rest() };
  const packetType = r.u8();
  const cts = r.i24();
  return { enhanced: false, frameType, codecId, packetType, cts, data: r.rest() };
}

export interface ParsedAudioTag {
  soundFormat: number;
  soundRate: number;
  soundSize: number;
  soundType: number;
  /** AACPacketType for AAC, otherwise -1. */
  packetType: number;
  data: Uint8Array;
}

export function parseAudioTag(body: Uint8Array): ParsedAudioTag {
  const r = new ByteReader(body, 'FLV audio tag');
  const b0 = r.u8();
  const soundFormat = b0 >> 4;
  const packetType = soundFormat === SoundFormat.Aac ? r.u8() : -1;
  return { soundFormat, soundRate: (b0 >> 2) & 3, soundSize: (b0 >> 1) & 1, soundType: b0 & 1, packetType, data: r.rest() };
}
