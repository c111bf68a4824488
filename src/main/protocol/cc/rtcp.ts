// The RTCP a WebRTC sender reads for congestion control, parsed from bytes (no werift types):
// - (the common header and padding are in ./rtcp-header.ts);
// - SR/RR report blocks, RFC 3550 §6.4.1-6.4.2 (fraction lost, cumulative lost, extended highest
//   sequence number, jitter, LSR, DLSR) and the round-trip time they give, §6.4.1 (A − LSR − DLSR);
// - REMB, draft-alvestrand-rmcat-remb-03 §2.2 (PSFB FMT 15, "REMB", BR Exp and Mantissa);
// - transport-wide CC feedback (RTPFB FMT 15) is in ./twcc.ts;
// - a compound packet walk (RFC 3550 §6.1) that keeps the feedback packets and skips the rest.
// Every malformed packet gives a ProtocolError; the walk collects them and never throws.
import { ProtocolError } from '../../../shared/errors';
import { FMT_AFB, FMT_TWCC, readRtcpHeader, rtcpBody, RtcpType, u32, type RtcpHeader } from './rtcp-header';
import { parseTransportFeedback, type TwccFeedback } from './twcc';

/** One report block, RFC 3550 §6.4.1. */
export interface ReportBlock {
  ssrc: number;
  /** Fraction lost since the previous report, in 1/256 (0..255). */
  fractionLost: number;
  /** Cumulative number of packets lost (24-bit signed: duplicates can make it negative). */
  cumulativeLost: number;
  /** Extended highest sequence number received (cycles << 16 | highest). */
  highestSeq: number;
  /** Interarrival jitter, RTP timestamp units. */
  jitter: number;
  /** Middle 32 bits of the NTP timestamp of the last SR received from this source; 0 if none. */
  lsr: number;
  /** Delay since that SR, 1/65536 s. */
  dlsr: number;
}

export interface SenderInfo {
  ntpSeconds: number;
  ntpFraction: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
}

export interface ReceptionReport {
  type: 'sr' | 'rr';
  senderSsrc: number;
  /** Present on an SR (RFC 3550 §6.4.1 sender info). */
  sender?: SenderInfo;
  blocks: ReportBlock[];
}

const BLOCK_BYTES = 24;

/** Parse one SR (PT 200) or RR (PT 201) packet; profile extensions after the blocks are ignored. */
export function parseReceptionReport(pkt: Uint8Array): ReceptionReport {
  const h = readRtcpHeader(pkt);
  if (h.type !== RtcpType.SR && h.type !== RtcpType.RR) throw new ProtocolError(`RTCP: PT ${h.type} is not SR/RR`);
  const body = rtcpBody(pkt, h);
  const isSr = h.type === RtcpType.SR;
  const first = isSr ? 28 : 8;
  if (body.length < first + h.count * BLOCK_BYTES) throw new ProtocolError(`RTCP ${isSr ? 'SR' : 'RR'}: ${h.count} blocks do not fit`);
  const report: ReceptionReport = { type: isSr ? 'sr' : 'rr', senderSsrc: u32(body, 4), blocks: [] };
  if (isSr) {
    report.sender = {
      ntpSeconds: u32(body, 8), ntpFraction: u32(body, 12), rtpTimestamp: u32(body, 16),
      packetCount: u32(body, 20), octetCount: u32(body, 24),
    };
  }
  for (let i = 0; i < h.count; i++) {
    const o = first + i * BLOCK_BYTES;
    const lost24 = (body[o + 5]! << 16) | (body[o + 6]! << 8) | body[o + 7]!;
    report.blocks.push({
      ssrc: u32(body, o),
      fractionLost: body[o + 4]!,
      cumulativeLost: lost24 & 0x800000 ? lost24 - 0x1000000 : lost24,
      highestSeq: u32(body, o + 8),
      jitter: u32(body, o + 12),
      lsr: u32(body, o + 16),
      dlsr: u32(body, o + 20),
    });
  }
  return report;
}

/** The middle 32 bits of a 64-bit NTP timestamp (RFC 3550 §4), what LSR echoes. */
export function ntpMiddle32(ntpSeconds: number, ntpFraction: number): number {
  return (((ntpSeconds & 0xffff) << 16) | (ntpFraction >>> 16)) >>> 0;
}

/**
 * Round-trip time from a report block, RFC 3550 §6.4.1: A − LSR − DLSR, where A is the block's
 * arrival as NTP middle 32 bits. Undefined without an SR (LSR 0) or when the result is negative or
 * over 60 s (a broken DLSR or clock).
 */
export function rttMsFromNtp(block: ReportBlock, arrivalNtpMiddle32: number): number | undefined {
  if (block.lsr === 0) return undefined;
  const d = (arrivalNtpMiddle32 - block.lsr - block.dlsr) >>> 0;
  if (d >= 0x80000000) return undefined;
  const ms = (d * 1000) / 65536;
  return ms > 60_000 ? undefined : ms;
}

export interface Remb {
  senderSsrc: number;
  bitrateBps: number;
  ssrcs: number[];
}

const REMB_ID = 0x52454d42; // "REMB"

/** Is this PSFB FMT 15 packet a REMB (its FCI starts with "REMB")? */
export function isRemb(pkt: Uint8Array): boolean {
  return pkt.length >= 16 && u32(pkt, 12) === REMB_ID;
}

/** Parse one REMB, draft-alvestrand-rmcat-remb-03 §2.2. */
export function parseRemb(pkt: Uint8Array): Remb {
  const h = readRtcpHeader(pkt);
  if (h.type !== RtcpType.PSFB || h.count !== FMT_AFB) throw new ProtocolError('REMB: not PSFB FMT 15');
  const body = rtcpBody(pkt, h);
  if (body.length < 20 || u32(body, 12) !== REMB_ID) throw new ProtocolError('REMB: no "REMB" identifier');
  const n = body[16]!;
  if (body.length !== 20 + 4 * n) throw new ProtocolError(`REMB: ${n} SSRCs in ${body.length} bytes`);
  const exp = body[17]! >> 2;
  const mantissa = ((body[17]! & 3) << 16) | (body[18]! << 8) | body[19]!;
  // Like a 64-bit receiver would, refuse a value that does not fit in 64 bits (§2.2 gives no bound).
  if (mantissa !== 0 && exp + Math.floor(Math.log2(mantissa)) + 1 > 64) throw new ProtocolError('REMB: bitrate overflows 64 bits');
  const ssrcs: number[] = [];
  for (let i = 0; i < n; i++) ssrcs.push(u32(body, 20 + 4 * i));
  return { senderSsrc: u32(body, 4), bitrateBps: mantissa * 2 ** exp, ssrcs };
}

export type RtcpFeedback =
  | { kind: 'twcc'; twcc: TwccFeedback }
  | { kind: 'remb'; remb: Remb }
  | { kind: 'report'; report: ReceptionReport };

export interface RtcpFeedbackResult {
  feedback: RtcpFeedback[];
  /** One per malformed packet; the walk stops at a header it cannot size. */
  errors: ProtocolError[];
}

/**
 * Walk a compound RTCP datagram (RFC 3550 §6.1) and parse the packets congestion control uses:
 * SR/RR, RTPFB FMT 15 (TWCC) and REMB. Other packets (SDES, BYE, NACK, PLI, FIR, ...) are skipped.
 * Never throws: malformed packets are reported in `errors`.
 */
export function parseRtcpFeedback(buf: Uint8Array): RtcpFeedbackResult {
  const out: RtcpFeedbackResult = { feedback: [], errors: [] };
  let off = 0;
  while (off < buf.length) {
    let h: RtcpHeader;
    try {
      h = readRtcpHeader(buf, off);
    } catch (e) {
      out.errors.push(asProtocolError(e));
      break;
    }
    const pkt = buf.subarray(off, off + h.packetBytes);
    off += h.packetBytes;
    try {
      if (h.type === RtcpType.SR || h.type === RtcpType.RR) {
        out.feedback.push({ kind: 'report', report: parseReceptionReport(pkt) });
      } else if (h.type === RtcpType.RTPFB && h.count === FMT_TWCC) {
        out.feedback.push({ kind: 'twcc', twcc: parseTransportFeedback(pkt) });
      } else if (h.type === RtcpType.PSFB && h.count === FMT_AFB && isRemb(pkt)) {
        out.feedback.push({ kind: 'remb', remb: parseRemb(pkt) });
      }
    } catch (e) {
      out.errors.push(asProtocolError(e));
    }
  }
  return out;
}

function asProtocolError(e: unknown): ProtocolError {
  // Only ProtocolErrors are thrown above; anything else is a bug, reported rather than rethrown.
  return e instanceof ProtocolError ? e : new ProtocolError(`RTCP: ${String(e)}`, { code: 'internal', cause: e });
}
