// Opus in Ogg: the identification header, RFC 7845 5.1 ("OpusHead"), the comment header 5.2
// ("OpusTags"), and the packet duration from the TOC byte, RFC 6716 3.1 (config → frame size)
// and 3.2 (frame count codes 0-3).
import { ProtocolError } from '../../../shared/errors';

export interface OpusHead {
  version: number;
  channels: number;
  /** Samples (at 48 kHz) to discard at the start: the encoder's priming. */
  preSkip: number;
  inputSampleRate: number;
  outputGain: number;
  mappingFamily: number;
}

const MAGIC_HEAD = 'OpusHead';
const MAGIC_TAGS = 'OpusTags';

function startsWith(data: Uint8Array, magic: string): boolean {
  if (data.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (data[i] !== magic.charCodeAt(i)) return false;
  return true;
}

export const isOpusHead = (d: Uint8Array): boolean => startsWith(d, MAGIC_HEAD);
export const isOpusTags = (d: Uint8Array): boolean => startsWith(d, MAGIC_TAGS);

export function parseOpusHead(d: Uint8Array): OpusHead {
  if (!isOpusHead(d) || d.length < 19) throw new ProtocolError('not an OpusHead packet');
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const version = d[8]!;
  if (version >> 4 !== 0) throw new ProtocolError(`unsupported OpusHead version ${version}`);
  const channels = d[9]!;
  if (channels === 0) throw new ProtocolError('OpusHead with 0 channels');
  return {
    version,
    channels,
    preSkip: v.getUint16(10, true),
    inputSampleRate: v.getUint32(12, true),
    outputGain: v.getInt16(16, true),
    mappingFamily: d[18]!,
  };
}

/** Frame size in 48 kHz samples for TOC config 0..31 (RFC 6716 3.1 Table 2). */
export function opusFrameSamples(config: number): number {
  if (config < 12) return [480, 960, 1920, 2880][config & 3]!; // SILK 10/20/40/60 ms
  if (config < 16) return [480, 960][config & 1]!; // Hybrid 10/20 ms
  return [120, 240, 480, 960][config & 3]!; // CELT 2.5/5/10/20 ms
}

/** Duration of one Opus packet in 48 kHz samples (RFC 6716 3.1, 3.2.5 for code 3). */
export function opusPacketSamples(packet: Uint8Array): number {
  const toc = packet[0];
  if (toc === undefined) throw new ProtocolError('empty Opus packet');
  const per = opusFrameSamples(toc >> 3);
  const code = toc & 3;
  if (code === 0) return per;
  if (code === 1 || code === 2) return per * 2;
  const countByte = packet[1];
  if (countByte === undefined) throw new ProtocolError('Opus code-3 packet without frame count');
  const frames = countByte & 0x3f;
  if (frames === 0 || per * frames > 5760) throw new ProtocolError(`Opus packet with ${frames} frames is invalid`);
  return per * frames;
}
