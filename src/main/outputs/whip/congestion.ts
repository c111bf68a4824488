// The WHIP output's congestion control glue (docs/ARCHITECTURE.md "WHIP congestion control"):
// the pure GCC estimator (protocol/cc/estimator.ts) fed with what the peer sends and the RTCP it
// gets back as bytes, and what comes out of it:
// - the target bitrate for the destination's encoder group, kept in [min, max] and announced only
//   when it moves by more than 5 % (or 1 s passed since a smaller move), so the encoder is not
//   reconfigured for noise;
// - the pacing rate (2.5 × target);
// - the figures the destination row shows: the estimate B, RTT, loss, REMB, queueing delay.
// No werift types, no timers: the peer calls in with its clock.
import { SendSideBandwidthEstimator, type BweTarget } from '../../protocol/cc/estimator';
import { parseRtcpFeedback } from '../../protocol/cc/rtcp';

export interface CongestionOptions {
  minKbps: number;
  maxKbps: number;
  startKbps: number;
  /** The server negotiated transport-wide CC (else receiver reports and REMB steer). */
  transportCc: boolean;
  pacingFactor: number;
  /** The new target, kbit/s, when it moved enough to act on. */
  onTarget: (kbps: number) => void;
}

export interface DeliverySink {
  sentSeq(seq: number, queuedMs: number): void;
  ackedSeqs(seqs: readonly number[], nowMs: number): void;
}

const MOVE = 0.05;
const SMALL_MOVE_AFTER_MS = 1000;

export class Congestion {
  readonly bwe: SendSideBandwidthEstimator;
  private announced: number;
  private announcedAt = 0;
  private ownSeq = 0;
  /** RTCP packets that did not parse (kept out of the estimator). */
  malformed = 0;
  /** Transport-wide feedback packets seen (none: the server gives no delivery confirmation). */
  feedbacks = 0;
  /** Where the delivery delay is measured (outputs/delivery.ts). */
  delivery: DeliverySink | undefined;

  constructor(private readonly o: CongestionOptions) {
    this.bwe = new SendSideBandwidthEstimator({
      minBps: o.minKbps * 1000,
      maxBps: o.maxKbps * 1000,
      startBps: o.startKbps * 1000,
      transportCc: o.transportCc,
      pacingFactor: o.pacingFactor,
    });
    this.announced = Math.round(this.bwe.target().bitrateBps / 1000);
  }

  /** A packet left: its transport-wide sequence number when negotiated (else our own count). */
  sent(twccSeq: number | undefined, bytes: number, nowMs: number, queuedMs?: number): void {
    this.ownSeq = (this.ownSeq + 1) & 0xffff;
    this.bwe.onPacketSent(twccSeq ?? this.ownSeq, nowMs, bytes);
    if (twccSeq !== undefined && queuedMs !== undefined) this.delivery?.sentSeq(twccSeq, queuedMs);
    this.maybeAnnounce(nowMs);
  }

  /** One RTCP packet from the server, as bytes (the peer serialises what werift parsed). */
  rtcp(bytes: Uint8Array, nowMs: number): void {
    const r = parseRtcpFeedback(bytes);
    this.malformed += r.errors.length;
    for (const item of r.feedback) {
      this.bwe.onRtcp(item, nowMs);
      if (item.kind === 'twcc') {
        this.feedbacks++;
        this.delivery?.ackedSeqs(item.twcc.received.map((x) => x.seq), nowMs);
      }
    }
    this.maybeAnnounce(nowMs);
  }

  /** Our Sender Report left with this NTP time (middle 32 bits): RTT from receiver reports. */
  senderReport(ntpMiddle32: number, nowMs: number): void {
    this.bwe.onSenderReportSent(ntpMiddle32, nowMs);
  }

  target(): BweTarget {
    return this.bwe.target();
  }

  get targetKbps(): number {
    return this.announced;
  }

  get pacingKbps(): number {
    return this.bwe.target().pacingRateBps / 1000;
  }

  /** The user changed the destination's bitrate. */
  setBounds(minKbps: number, maxKbps: number): void {
    this.bwe.setBounds(minKbps * 1000, maxKbps * 1000);
  }

  private maybeAnnounce(nowMs: number): void {
    const kbps = Math.round(this.bwe.target().bitrateBps / 1000);
    if (kbps === this.announced) return;
    const moved = Math.abs(kbps - this.announced) / Math.max(1, this.announced);
    if (moved < MOVE && nowMs - this.announcedAt < SMALL_MOVE_AFTER_MS) return;
    this.announced = kbps;
    this.announcedAt = nowMs;
    this.o.onTarget(kbps);
  }
}
