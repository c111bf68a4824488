// Round-trip time from receiver reports, and the queueing-delay signal the fallback mode uses when
// the server negotiated no transport-wide CC feedback.
// - RTT, RFC 3550 §6.4.1: a report block echoes the middle 32 bits of our last SR's NTP time (LSR)
//   and how long the receiver held it (DLSR, 1/65536 s). We remember when each SR left, so
//   RTT = now − (that SR's send time) − DLSR, on our own clock (no NTP mapping needed).
// - Queueing delay (our design; GCC itself needs per-packet feedback, draft-ietf-rmcat-gcc-02 §5):
//   the RTT above its minimum over the last 30 s is taken as queueing delay q, and its growth per
//   ms of SR send time as dq/dt (≈ (send rate − capacity) / capacity, like the trendline slope).
//   q above max(30 ms, 20 % of the base RTT) is over-use unless it drains fast enough to be gone
//   within 5 s (dq/dt < −q / 5 s); above half that it holds; below, normal. The receive rate over
//   the interval is our send rate then · (1 − loss) / (1 + dq/dt), dq/dt in [−0.5, 4]. An RTT sample describes the
//   queue when its SR left, so the caller acts only on intervals that began after its last decrease.
import type { ReportBlock } from './rtcp';
import type { BandwidthUsage } from './trendline';

export const RTT = {
  srLogSize: 16,
  samples: 64,
  baseWindowMs: 30_000,
  minQueueMs: 30,
  queueShareOfBase: 0.2,
  /** A queue that would not drain within this at the current dq/dt is over-use. */
  drainMs: 5000,
} as const;

/** SRs we sent, by their NTP middle 32 bits, to turn LSR/DLSR into an RTT. */
export class SenderReportLog {
  private readonly ntp = new Float64Array(RTT.srLogSize).fill(-1);
  private readonly sentMs = new Float64Array(RTT.srLogSize);
  private readonly sendRate = new Float64Array(RTT.srLogSize);
  private next = 0;

  /** Our SR left at `nowMs`; `sendRateBps` is what we were sending then (NaN if unknown). */
  add(ntpMiddle32: number, nowMs: number, sendRateBps = NaN): void {
    this.ntp[this.next] = ntpMiddle32 >>> 0;
    this.sentMs[this.next] = nowMs;
    this.sendRate[this.next] = sendRateBps;
    this.next = (this.next + 1) % RTT.srLogSize;
  }

  /** The SR this block echoes, or undefined (no SR, or too old to be remembered). */
  find(block: ReportBlock): { sentMs: number; sendRateBps: number | undefined } | undefined {
    if (block.lsr === 0) return undefined;
    for (let i = 0; i < RTT.srLogSize; i++) {
      if (this.ntp[i] !== block.lsr >>> 0) continue;
      const rate = this.sendRate[i]!;
      return { sentMs: this.sentMs[i]!, sendRateBps: Number.isFinite(rate) ? rate : undefined };
    }
    return undefined;
  }

  /** RTT in ms for this block arriving at `nowMs`, or undefined when it cannot be trusted. */
  rttMs(block: ReportBlock, nowMs: number): number | undefined {
    const sr = this.find(block);
    if (sr === undefined) return undefined;
    const rtt = nowMs - sr.sentMs - (block.dlsr * 1000) / 65536;
    // A DLSR a little past our clock is rounding (1/65536 s); more is a broken report.
    if (rtt < -5 || rtt > 60_000) return undefined;
    return Math.max(0, rtt);
  }

  get size(): number {
    let n = 0;
    for (const v of this.ntp) if (v >= 0) n++;
    return n;
  }
}

interface Sample {
  rttMs: number;
  srSentMs: number;
}

/** The fallback over-use signal from RTT samples (one per receiver report). */
export class RttQueueDetector {
  private readonly samples: Sample[] = [];
  state: BandwidthUsage = 'normal';
  /** q, ms. */
  queueMs = 0;
  /** dq/dt between the last two samples. */
  growth = 0;

  get baseRttMs(): number | undefined {
    let min: number | undefined;
    for (const s of this.samples) if (min === undefined || s.rttMs < min) min = s.rttMs;
    return min;
  }

  get size(): number {
    return this.samples.length;
  }

  /** The SRs behind the last two samples (the interval dq/dt covers). */
  lastSrSentMs: number | undefined;
  prevSrSentMs: number | undefined;

  /** One RTT sample; returns false when it adds nothing (the same SR echoed again). */
  onRtt(rttMs: number, srSentMs: number): boolean {
    const prev = this.samples[this.samples.length - 1];
    if (prev && srSentMs <= prev.srSentMs) return false;
    this.prevSrSentMs = prev?.srSentMs;
    this.lastSrSentMs = srSentMs;
    this.samples.push({ rttMs, srSentMs });
    while (this.samples.length > RTT.samples || (this.samples[0] && srSentMs - this.samples[0].srSentMs > RTT.baseWindowMs)) {
      this.samples.shift();
    }
    const base = this.baseRttMs ?? rttMs;
    this.queueMs = rttMs - base;
    this.growth = prev ? (rttMs - prev.rttMs) / (srSentMs - prev.srSentMs) : 0;
    const high = Math.max(RTT.minQueueMs, RTT.queueShareOfBase * base);
    if (this.queueMs > high && this.growth > -this.queueMs / RTT.drainMs) this.state = 'overuse';
    else if (this.queueMs > high / 2) this.state = 'underuse';
    else this.state = 'normal';
    return true;
  }
}
