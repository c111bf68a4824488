// AudioSpecificConfig, ISO/IEC 14496-3 1.6.2.1 (syntax), 1.6.3.3 Table 1.18 (samplingFrequencyIndex),
// 1.6.3.4 (channelConfiguration), Table 1.1 (audio object types: 2 = AAC LC).
import { ProtocolError } from '../../../shared/errors';

export const SAMPLING_FREQUENCIES: readonly number[] = [
  96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
];

export const AOT_AAC_LC = 2;

export function samplingFrequencyIndex(rate: number): number {
  const i = SAMPLING_FREQUENCIES.indexOf(rate);
  if (i < 0) throw new ProtocolError(`sample rate ${rate} has no samplingFrequencyIndex`);
  return i;
}

export interface AscInfo {
  audioObjectType: number;
  sampleRate: number;
  channels: number;
}

/**
 * Build the 2-byte AudioSpecificConfig for an object type < 31 at a tabled sample rate:
 * audioObjectType (5 bits), samplingFrequencyIndex (4), channelConfiguration (4), then
 * GASpecificConfig 1.6.2.1/4.4.1: frameLengthFlag=0, dependsOnCoreCoder=0, extensionFlag=0.
 */
export function buildAudioSpecificConfig(info: AscInfo): Uint8Array {
  if (info.audioObjectType < 1 || info.audioObjectType > 30) throw new ProtocolError(`audioObjectType ${info.audioObjectType} unsupported`);
  // Table 1.19: configurations 1..6 carry 1..6 channels, 7 carries 8 (7.1); 7 channels has none.
  if (!((info.channels >= 1 && info.channels <= 6) || info.channels === 8)) {
    throw new ProtocolError(`no channelConfiguration for ${info.channels} channels`);
  }
  const sfi = samplingFrequencyIndex(info.sampleRate);
  const ch = info.channels === 8 ? 7 : info.channels;
  return new Uint8Array([(info.audioObjectType << 3) | (sfi >> 1), ((sfi & 1) << 7) | (ch << 3)]);
}

/** Parse the leading fields of an AudioSpecificConfig (1.6.2.1), explicit frequency included. */
export function parseAudioSpecificConfig(asc: Uint8Array): AscInfo {
  if (asc.length < 2) throw new ProtocolError('AudioSpecificConfig shorter than 2 bytes');
  let pos = 0;
  const read = (n: number): number => {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const byte = asc[pos >> 3];
      if (byte === undefined) throw new ProtocolError('AudioSpecificConfig truncated');
      v = (v << 1) | ((byte >> (7 - (pos & 7))) & 1);
      pos++;
    }
    return v;
  };
  let aot = read(5);
  if (aot === 31) aot = 32 + read(6);
  const sfi = read(4);
  const sampleRate = sfi === 15 ? read(24) : SAMPLING_FREQUENCIES[sfi];
  if (sampleRate === undefined) throw new ProtocolError(`reserved samplingFrequencyIndex ${sfi}`);
  const channels = read(4);
  return { audioObjectType: aot, sampleRate, channels };
}
