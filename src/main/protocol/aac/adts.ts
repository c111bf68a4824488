// ADTS (Audio Data Transport Stream) headers, ISO/IEC 14496-3 1.A.2 (1.A.2.2.1 adts_fixed_header,
// 1.A.2.2.2 adts_variable_header, 1.A.3.2 semantics). 7 bytes, 9 with CRC.
import { ProtocolError } from '../../../shared/errors';
import { SAMPLING_FREQUENCIES, buildAudioSpecificConfig } from './asc';

export interface AdtsHeader {
  /** 7, or 9 when protection_absent is 0 (CRC present). */
  headerLength: number;
  /** aac_frame_length: header + payload bytes. */
  frameLength: number;
  /** profile_ObjectType + 1 = MPEG-4 audioObjectType (1.A.3.2): 2 for AAC LC. */
  audioObjectType: number;
  samplingFrequencyIndex: number;
  sampleRate: number;
  channelConfiguration: number;
  /** number_of_raw_data_blocks_in_frame + 1; each block is 1024 samples. */
  rawDataBlocks: number;
}

export const ADTS_MIN_HEADER = 7;

/** True if a syncword 0xFFF with layer 00 starts at `off` (1.A.2.2.1). */
export function isAdtsSync(buf: Uint8Array, off: number): boolean {
  return buf[off] === 0xff && ((buf[off + 1] ?? 0) & 0xf6) === 0xf0;
}

/** Parse the header at `off`. Needs 7 bytes available; throws ProtocolError if it is not ADTS. */
export function parseAdtsHeader(buf: Uint8Array, off = 0): AdtsHeader {
  if (buf.length - off < ADTS_MIN_HEADER) throw new ProtocolError('ADTS header truncated');
  if (!isAdtsSync(buf, off)) throw new ProtocolError('no ADTS syncword');
  const b1 = buf[off + 1]!;
  const b2 = buf[off + 2]!;
  const b3 = buf[off + 3]!;
  const b4 = buf[off + 4]!;
  const b5 = buf[off + 5]!;
  const b6 = buf[off + 6]!;
  const protectionAbsent = b1 & 1;
  const profile = b2 >> 6;
  const sfi = (b2 >> 2) & 0x0f;
  const channelConfiguration = ((b2 & 1) << 2) | (b3 >> 6);
  const frameLength = ((b3 & 0x03) << 11) | (b4 << 3) | (b5 >> 5);
  const rawDataBlocks = (b6 & 0x03) + 1;
  const headerLength = protectionAbsent ? 7 : 9;
  const sampleRate = SAMPLING_FREQUENCIES[sfi];
  if (sampleRate === undefined) throw new ProtocolError(`ADTS samplingFrequencyIndex ${sfi} is reserved`);
  if (frameLength < headerLength) throw new ProtocolError(`ADTS frame length ${frameLength} shorter than its header`);
  return {
    headerLength,
    frameLength,
    audioObjectType: profile + 1,
    samplingFrequencyIndex: sfi,
    sampleRate,
    channelConfiguration,
    rawDataBlocks,
  };
}

/** The AudioSpecificConfig equivalent to an ADTS header (1.A.3.2: profile → object type). */
export function adtsToAudioSpecificConfig(h: AdtsHeader): Uint8Array {
  return buildAudioSpecificConfig({ audioObjectType: h.audioObjectType, sampleRate: h.sampleRate, channels: h.channelConfiguration === 7 ? 8 : h.channelConfiguration });
}

/** Build a 7-byte ADTS header (no CRC) for one raw_data_block of `payloadLength` bytes. */
export function buildAdtsHeader(opts: { audioObjectType: number; sampleRate: number; channels: number; payloadLength: number }): Uint8Array {
  const sfi = SAMPLING_FREQUENCIES.indexOf(opts.sampleRate);
  if (sfi < 0) throw new ProtocolError(`sample rate ${opts.sampleRate} has no ADTS index`);
  if (opts.audioObjectType < 1 || opts.audioObjectType > 4) throw new ProtocolError('ADTS carries object types 1..4 only');
  const len = opts.payloadLength + 7;
  if (len > 0x1fff) throw new ProtocolError('ADTS frame longer than 8191 bytes');
  const profile = opts.audioObjectType - 1;
  return new Uint8Array([
    0xff,
    0xf1, // MPEG-4, layer 0, protection_absent 1
    (profile << 6) | (sfi << 2) | ((opts.channels >> 2) & 1),
    ((opts.channels & 3) << 6) | ((len >> 11) & 3),
    (len >> 3) & 0xff,
    ((len & 7) << 5) | 0x1f, // buffer fullness 0x7FF (VBR)
    0xfc, // buffer fullness low bits, 1 raw data block
  ]);
}
