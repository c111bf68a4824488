// The RTCP common header, RFC 3550 §6.4.1 (V=2, P, count, PT, length in 32-bit words − 1) and
// padding (the last octet counts the padding octets, itself included).
import { ProtocolError } from '../../../shared/errors';

export const RtcpType = { SR: 200, RR: 201, SDES: 202, BYE: 203, APP: 204, RTPFB: 205, PSFB: 206 } as const;

/** RTPFB FMT 15 (transport-wide CC) and PSFB FMT 15 (application layer feedback, e.g. REMB). */
export const FMT_TWCC = 15;
export const FMT_AFB = 15;

export interface RtcpHeader {
  padding: boolean;
  /** RC for SR/RR, FMT for RTPFB/PSFB (5 bits). */
  count: number;
  type: number;
  /** The whole packet in bytes, header included: (length field + 1) × 4. */
  packetBytes: number;
}

/** Read the common header at `off` (RFC 3550 §6.4.1); the packet must fit in `buf`. */
export function readRtcpHeader(buf: Uint8Array, off = 0): RtcpHeader {
  if (buf.length - off < 4) throw new ProtocolError('RTCP: truncated header');
  const b0 = buf[off]!;
  if (b0 >> 6 !== 2) throw new ProtocolError(`RTCP: version ${b0 >> 6}`);
  const packetBytes = (((buf[off + 2]! << 8) | buf[off + 3]!) + 1) * 4;
  if (packetBytes > buf.length - off) throw new ProtocolError('RTCP: length beyond the datagram');
  return { padding: (b0 & 0x20) !== 0, count: b0 & 0x1f, type: buf[off + 1]!, packetBytes };
}

/**
 * The packet's bytes without trailing padding (RFC 3550 §6.4.1: with P set, the last octet counts
 * the padding octets, itself included). `pkt` is exactly one packet.
 */
export function rtcpBody(pkt: Uint8Array, h: RtcpHeader): Uint8Array {
  if (pkt.length !== h.packetBytes) throw new ProtocolError('RTCP: length field does not match the packet');
  if (!h.padding) return pkt;
  const pad = pkt[pkt.length - 1]!;
  if (pad === 0 || pad > pkt.length - 4) throw new ProtocolError(`RTCP: padding ${pad}`);
  return pkt.subarray(0, pkt.length - pad);
}

export function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}
