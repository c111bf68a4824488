// H.264 helpers the FLV muxer needs: Annex B splitting (ITU-T H.264 Annex B.1), Annex B → AVCC
// length-prefixed conversion (ISO/IEC 14496-15 5.3.4.2), and the AVCDecoderConfigurationRecord
// (ISO/IEC 14496-15 5.3.3.1). A minimal version owned by the RTMP issue (#4); dedupe with
// src/main/protocol/h264 once that lands.
import { ProtocolError } from '../../../shared/errors';
import { ByteWriter } from '../amf0/bytes';

export const NalType = { Idr: 5, Sei: 6, Sps: 7, Pps: 8, Aud: 9 } as const;

export const nalType = (nal: Uint8Array): number => (nal[0] ?? 0) & 0x1f;

/** Split an Annex B byte stream into NAL units (without start codes, trailing zeros trimmed). */
export function splitAnnexB(data: Uint8Array): Uint8Array[] {
  const nals: Uint8Array[] = [];
  const n = data.length;
  let i = 0;
  let start = -1;
  while (i + 2 < n) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      if (start >= 0) pushNal(nals, data, start, i);
      i += 3;
      start = i;
    } else i++;
  }
  if (start >= 0) pushNal(nals, data, start, n);
  else if (n > 0) nals.push(data); // no start code at all: treat the whole buffer as one NAL
  return nals;
}

function pushNal(out: Uint8Array[], data: Uint8Array, from: number, to: number): void {
  let end = to;
  while (end > from && data[end - 1] === 0) end--; // zero_byte of the next 4-byte start code
  if (end > from) out.push(data.subarray(from, end));
}

/** Annex B access unit → AVCC (4-byte big-endian lengths). Access unit delimiters are dropped. */
export function annexBToAvcc(data: Uint8Array): Uint8Array {
  const nals = splitAnnexB(data).filter((nal) => nalType(nal) !== NalType.Aud);
  let size = 0;
  for (const nal of nals) size += 4 + nal.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let o = 0;
  for (const nal of nals) {
    view.setUint32(o, nal.length);
    out.set(nal, o + 4);
    o += 4 + nal.length;
  }
  return out;
}

/** Remove emulation prevention bytes (H.264 7.4.1: 0x000003 → 0x0000). */
export function unescapeRbsp(nal: Uint8Array): Uint8Array {
  const out = new Uint8Array(nal.length);
  let o = 0;
  let zeros = 0;
  for (const b of nal) {
    if (zeros >= 2 && b === 3) {
      zeros = 0;
      continue;
    }
    zeros = b === 0 ? zeros + 1 : 0;
    out[o++] = b;
  }
  return out.subarray(0, o);
}

class BitReader {
  private bit = 0;
  constructor(private readonly b: Uint8Array) {}
  u(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.b[this.bit >> 3];
      if (byte === undefined) throw new ProtocolError('truncated SPS');
      v = (v << 1) | ((byte >> (7 - (this.bit & 7))) & 1);
      this.bit++;
    }
    return v >>> 0;
  }
  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0) if (++zeros > 31) throw new ProtocolError('invalid Exp-Golomb code in SPS');
    return (2 ** zeros - 1 + (zeros ? this.u(zeros) : 0)) >>> 0;
  }
}

export interface SpsInfo {
  profileIdc: number;
  constraintFlags: number;
  levelIdc: number;
  chromaFormatIdc: number;
  bitDepthLumaMinus8: number;
  bitDepthChromaMinus8: number;
}

const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** Read the SPS fields the decoder configuration record needs (H.264 7.3.2.1.1). */
export function parseSpsHead(sps: Uint8Array): SpsInfo {
  if (sps.length < 4 || nalType(sps) !== NalType.Sps) throw new ProtocolError('not an H.264 SPS NAL unit');
  const r = new BitReader(unescapeRbsp(sps.subarray(1)));
  const profileIdc = r.u(8);
  const constraintFlags = r.u(8);
  const levelIdc = r.u(8);
  r.ue(); // seq_parameter_set_id
  let chromaFormatIdc = 1;
  let bitDepthLumaMinus8 = 0;
  let bitDepthChromaMinus8 = 0;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = r.ue();
    if (chromaFormatIdc === 3) r.u(1); // separate_colour_plane_flag
    bitDepthLumaMinus8 = r.ue();
    bitDepthChromaMinus8 = r.ue();
  }
  return { profileIdc, constraintFlags, levelIdc, chromaFormatIdc, bitDepthLumaMinus8, bitDepthChromaMinus8 };
}

/** AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1.2) from SPS/PPS NAL units. */
export function avcDecoderConfigurationRecord(sps: readonly Uint8Array[], pps: readonly Uint8Array[]): Uint8Array {
  const first = sps[0];
  if (!first) throw new ProtocolError('an AVC decoder configuration record needs at least one SPS');
  if (sps.length > 31 || pps.length > 255) throw new ProtocolError('too many parameter sets');
  const info = parseSpsHead(first);
  const w = new ByteWriter(64);
  w.u8(1).u8(info.profileIdc).u8(info.constraintFlags).u8(info.levelIdc);
  w.u8(0xfc | 3); // reserved(6) + lengthSizeMinusOne = 3
  w.u8(0xe0 | sps.length);
  for (const s of sps) w.u16(s.length).bytes(s);
  w.u8(pps.length);
  for (const p of pps) w.u16(p.length).bytes(p);
  if (info.profileIdc !== 66 && info.profileIdc !== 77 && info.profileIdc !== 88) {
    w.u8(0xfc | (info.chromaFormatIdc & 3));
    w.u8(0xf8 | (info.bitDepthLumaMinus8 & 7));
    w.u8(0xf8 | (info.bitDepthChromaMinus8 & 7));
    w.u8(0); // numOfSequenceParameterSetExt
  }
  return w.finish();
}
