// Loss from receiver reports for the fallback mode (no transport-wide CC), taken over at least
// RR_LOSS_MIN_PACKETS expected packets from the report blocks' cumulative counters (RFC 3550
// §6.4.1: extended highest sequence number received, cumulative number of packets lost), not from
// each block's own fraction lost. libwebrtc does the same (kLimitNumPackets, 20): a receiver sends
// an RR with every NACK, and Chromium behind a congested 3 Mbit/s tbf link sent them ~1 ms apart,
// each fraction over a handful of packets, 0 % and 94 % in turn; the loss side swung with them.
import type { ReportBlock } from './rtcp';

export const RR_LOSS_MIN_PACKETS = 20;
/** SSRCs tracked at once; a fuzzed stream of new SSRCs must not grow the map. */
const MAX_SOURCES = 16;

interface SourceLoss {
  highest: number;
  lost: number;
  expected: number;
  lostSince: number;
}

export class ReceiverReportLoss {
  private readonly sources = new Map<number, SourceLoss>();

  /**
   * The loss fraction (0..1) to report for this block, once RR_LOSS_MIN_PACKETS were expected
   * from its source since the last one; undefined before. The first block of a source gives its
   * own fraction lost. Counters that went backwards (a receiver reset, reordered RTCP) or jumped
   * past half the sequence space start the count again.
   */
  onBlock(block: ReportBlock): number | undefined {
    const prev = this.sources.get(block.ssrc);
    const highest = block.highestSeq >>> 0;
    if (prev === undefined) {
      if (this.sources.size >= MAX_SOURCES) this.sources.clear();
      this.sources.set(block.ssrc, { highest, lost: block.cumulativeLost, expected: 0, lostSince: 0 });
      return Math.min(255, Math.max(0, block.fractionLost)) / 256;
    }
    const expected = highest - prev.highest;
    const lost = block.cumulativeLost - prev.lost;
    prev.highest = highest;
    prev.lost = block.cumulativeLost;
    if (expected < 0 || expected > 0x8000) {
      prev.expected = 0;
      prev.lostSince = 0;
      return undefined;
    }
    prev.expected += expected;
    prev.lostSince += lost;
    if (prev.expected < RR_LOSS_MIN_PACKETS) return undefined;
    const fraction = Math.min(1, Math.max(0, prev.lostSince / prev.expected));
    prev.expected = 0;
    prev.lostSince = 0;
    return fraction;
  }
}
