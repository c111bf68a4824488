// Transport-wide congestion control feedback, draft-holmer-rmcat-transport-wide-cc-extensions-01
// §3.1: RTPFB (PT 205) FMT 15. After the two SSRCs: base sequence number (16), packet status count
// (16), reference time (24, signed in the draft, multiples of 64 ms), feedback packet count (8),
// then packet chunks (§3.1.1 run length, §3.1.2 status vector with 1-bit or 2-bit symbols, §3.1.3
// symbols: 00 not received, 01 small delta, 10 large or negative delta, 11 reserved), then one
// receive delta per received packet (§3.1.5: 8 bits unsigned or 16 bits signed, 250 µs units, the
// first relative to the reference time, each next to the previous received packet), zero-padded to
// 32 bits. Bounded: status count ≤ TWCC_MAX_STATUS_COUNT, the output holds one entry per received
// packet (each needs a delta byte, so it is bounded by the packet length).
import { ProtocolError } from '../../../shared/errors';
import { readRtcpHeader, rtcpBody, RtcpType, FMT_TWCC } from './rtcp-header';

/** Most statuses accepted in one feedback: half the sequence space, beyond which unwrapping is ambiguous. */
export const TWCC_MAX_STATUS_COUNT = 0x7fff;
/** Receive deltas are in 250 µs ticks (§3.1.5); the reference time in 64 ms (§3.1). */
export const TWCC_DELTA_US = 250;
export const TWCC_REFERENCE_US = 64_000;
/**
 * Widest spread of receive times accepted in one feedback. A receiver reports every 50-250 ms; a
 * feedback spanning more than this did not come from a working receiver clock.
 */
export const TWCC_MAX_SPAN_US = 10_000_000;

export const TwccSymbol = { NOT_RECEIVED: 0, SMALL_DELTA: 1, LARGE_DELTA: 2 } as const;

export interface TwccArrival {
  /** Transport-wide sequence number (16 bits). */
  seq: number;
  /** Index from the base sequence number (0 ≤ index < statusCount). */
  index: number;
  /** Receive time relative to the reference time, µs (may be negative). */
  arrivalUs: number;
}

export interface TwccFeedback {
  senderSsrc: number;
  mediaSsrc: number;
  baseSeq: number;
  statusCount: number;
  /** 24-bit reference time in 64 ms units, as sent (the caller unwraps it across feedbacks). */
  referenceTime: number;
  /** 8-bit feedback packet count. */
  feedbackCount: number;
  /** The received packets in sequence order; the other statusCount − received.length were not received. */
  received: TwccArrival[];
}

/** Parse one RTPFB FMT 15 packet (exactly one RTCP packet). */
export function parseTransportFeedback(pkt: Uint8Array): TwccFeedback {
  const h = readRtcpHeader(pkt);
  if (h.type !== RtcpType.RTPFB || h.count !== FMT_TWCC) throw new ProtocolError('TWCC: not RTPFB FMT 15');
  const b = rtcpBody(pkt, h);
  if (b.length < 20) throw new ProtocolError('TWCC: truncated header');
  const baseSeq = (b[12]! << 8) | b[13]!;
  const statusCount = (b[14]! << 8) | b[15]!;
  if (statusCount === 0) throw new ProtocolError('TWCC: packet status count 0');
  if (statusCount > TWCC_MAX_STATUS_COUNT) throw new ProtocolError(`TWCC: packet status count ${statusCount}`);
  const referenceTime = (b[16]! << 16) | (b[17]! << 8) | b[18]!;

  const symbols = new Uint8Array(statusCount);
  let off = 20;
  let n = 0;
  let receivedCount = 0;
  while (n < statusCount) {
    if (off + 2 > b.length) throw new ProtocolError('TWCC: packet chunks truncated');
    const c = (b[off]! << 8) | b[off + 1]!;
    off += 2;
    if ((c & 0x8000) === 0) {
      // §3.1.3 run length chunk: T=0, S (2 bits), run length (13 bits).
      const s = (c >> 13) & 3;
      const run = c & 0x1fff;
      if (s === 3) throw new ProtocolError('TWCC: reserved symbol in a run');
      if (run === 0) throw new ProtocolError('TWCC: empty run');
      const end = Math.min(statusCount, n + run);
      if (s !== 0) {
        symbols.fill(s, n, end);
        receivedCount += end - n;
      }
      n = end;
    } else if ((c & 0x4000) === 0) {
      // §3.1.4 status vector, 14 one-bit symbols (0 not received, 1 small delta).
      for (let i = 13; i >= 0 && n < statusCount; i--, n++) {
        if ((c >> i) & 1) {
          symbols[n] = TwccSymbol.SMALL_DELTA;
          receivedCount++;
        }
      }
    } else {
      // §3.1.4 status vector, 7 two-bit symbols.
      for (let i = 12; i >= 0 && n < statusCount; i -= 2, n++) {
        const s = (c >> i) & 3;
        if (s === 3) throw new ProtocolError('TWCC: reserved symbol in a vector');
        symbols[n] = s;
        if (s !== 0) receivedCount++;
      }
    }
    // Each received packet needs at least one delta byte: stop early on a count the bytes can't hold.
    if (receivedCount > b.length - off) throw new ProtocolError('TWCC: more received packets than receive deltas');
  }

  const received: TwccArrival[] = [];
  let t = 0;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < statusCount; i++) {
    const s = symbols[i]!;
    if (s === TwccSymbol.NOT_RECEIVED) continue;
    if (s === TwccSymbol.SMALL_DELTA) {
      if (off + 1 > b.length) throw new ProtocolError('TWCC: receive deltas truncated');
      t += b[off]! * TWCC_DELTA_US;
      off += 1;
    } else {
      if (off + 2 > b.length) throw new ProtocolError('TWCC: receive deltas truncated');
      const d = (b[off]! << 8) | b[off + 1]!;
      t += (d & 0x8000 ? d - 0x10000 : d) * TWCC_DELTA_US;
      off += 2;
    }
    if (t < lo) lo = t;
    if (t > hi) hi = t;
    received.push({ seq: (baseSeq + i) & 0xffff, index: i, arrivalUs: t });
  }
  if (hi - lo > TWCC_MAX_SPAN_US) throw new ProtocolError(`TWCC: receive times span ${(hi - lo) / 1000} ms`);
  // §3.1: what follows the deltas is zero padding up to the next 32-bit boundary.
  if (b.length - off > 3) throw new ProtocolError(`TWCC: ${b.length - off} bytes after the receive deltas`);
  return {
    senderSsrc: ((b[4]! << 24) | (b[5]! << 16) | (b[6]! << 8) | b[7]!) >>> 0,
    mediaSsrc: ((b[8]! << 24) | (b[9]! << 16) | (b[10]! << 8) | b[11]!) >>> 0,
    baseSeq,
    statusCount,
    referenceTime,
    feedbackCount: b[19]!,
    received,
  };
}
