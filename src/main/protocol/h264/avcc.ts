// AVCDecoderConfigurationRecord ("avcC"), ISO/IEC 14496-15 5.3.3.1 (syntax 5.3.3.1.2). Used as the
// FLV AVC sequence header, the MP4 avcC box payload and the Matroska CodecPrivate.
import { ProtocolError } from '../../../shared/errors';
import { HIGH_PROFILES, parseSps } from './sps';

export interface AvcDecoderConfig {
  profileIdc: number;
  profileCompatibility: number;
  levelIdc: number;
  lengthSize: 1 | 2 | 4;
  sps: Uint8Array[];
  pps: Uint8Array[];
}

/**
 * Build the record from SPS/PPS NAL units (without start codes). Byte layout:
 * configurationVersion=1, AVCProfileIndication, profile_compatibility, AVCLevelIndication,
 * '111111'b + lengthSizeMinusOne, '111'b + numOfSequenceParameterSets, {u16 length, SPS}*,
 * numOfPictureParameterSets, {u16 length, PPS}*, and for profile_idc other than 66, 77 and 88:
 * '111111'b + chroma_format, '11111'b + bit_depth_luma_minus8, '11111'b + bit_depth_chroma_minus8,
 * numOfSequenceParameterSetExt (0 here).
 */
export function buildAvcDecoderConfigurationRecord(
  sps: readonly Uint8Array[],
  pps: readonly Uint8Array[],
  lengthSize: 1 | 2 | 4 = 4,
): Uint8Array {
  const first = sps[0];
  if (!first) throw new ProtocolError('avcC needs at least one SPS');
  if (sps.length > 31) throw new ProtocolError('avcC holds at most 31 SPS');
  if (pps.length > 255) throw new ProtocolError('avcC holds at most 255 PPS');
  const info = parseSps(first);
  const ext = info.profileIdc !== 66 && info.profileIdc !== 77 && info.profileIdc !== 88;
  let size = 6 + 1 + (ext ? 4 : 0);
  for (const s of [...sps, ...pps]) {
    if (s.length > 0xffff) throw new ProtocolError('parameter set longer than 65535 bytes');
    size += 2 + s.length;
  }
  const out = new Uint8Array(size);
  let o = 0;
  out[o++] = 1;
  out[o++] = first[1] ?? 0;
  out[o++] = first[2] ?? 0;
  out[o++] = first[3] ?? 0;
  out[o++] = 0xfc | (lengthSize - 1);
  out[o++] = 0xe0 | sps.length;
  const put = (s: Uint8Array): void => {
    out[o++] = s.length >> 8;
    out[o++] = s.length & 0xff;
    out.set(s, o);
    o += s.length;
  };
  sps.forEach(put);
  out[o++] = pps.length;
  pps.forEach(put);
  if (ext) {
    out[o++] = 0xfc | info.chromaFormatIdc;
    out[o++] = 0xf8 | (info.bitDepthLuma - 8);
    out[o++] = 0xf8 | (info.bitDepthChroma - 8);
    out[o++] = 0;
  }
  return out;
}

/** Parse a record back (for tests and for outputs that receive one). */
export function parseAvcDecoderConfigurationRecord(rec: Uint8Array): AvcDecoderConfig {
  const fail = (why: string): never => {
    throw new ProtocolError(`malformed AVCDecoderConfigurationRecord: ${why}`);
  };
  if (rec.length < 7) fail('shorter than 7 bytes');
  if (rec[0] !== 1) fail(`configurationVersion ${rec[0]}`);
  const lengthSize = ((rec[4]! & 3) + 1) as 1 | 2 | 3 | 4;
  if (lengthSize === 3) fail('lengthSizeMinusOne 2 is not allowed');
  let o = 5;
  const read = (count: number): Uint8Array[] => {
    const list: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      if (o + 2 > rec.length) fail('truncated parameter set length');
      const len = (rec[o]! << 8) | rec[o + 1]!;
      o += 2;
      if (o + len > rec.length) fail('truncated parameter set');
      list.push(rec.slice(o, o + len));
      o += len;
    }
    return list;
  };
  const sps = read(rec[o++]! & 0x1f);
  if (o >= rec.length) fail('missing numOfPictureParameterSets');
  const pps = read(rec[o++]!);
  return {
    profileIdc: rec[1]!,
    profileCompatibility: rec[2]!,
    levelIdc: rec[3]!,
    lengthSize: lengthSize as 1 | 2 | 4,
    sps,
    pps,
  };
}

export { HIGH_PROFILES };
