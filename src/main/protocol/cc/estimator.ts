// Sender-side bandwidth estimation for the WHIP publisher: Google Congestion Control,
// draft-ietf-rmcat-gcc-02, in its send-side form (transport-wide feedback, as libwebrtc runs it).
// Pure: plain numbers and parsed RTCP in, a target bitrate out; time is the caller's ms clock.
//
//   onPacketSent ──► SendHistory (history.ts) ◄── onTransportFeedback (twcc.ts)
//                       │ acked packets (send time, receive time, size), lost counts
//     InterArrival (§5.2) → TrendlineDetector (§5.3-5.4)   acked rate R    loss per 1 s window
//                       └──► AimdRateControl (§5.5) = Ad       LossBasedControl (§6) = As ≤ Ad
//     target = clamp(min(As, Ad, REMB), min, max);  pacing = 2.5 × target (libwebrtc's factor)
//
// Without transport-cc (the server negotiated none) the same controllers run on receiver reports:
// the RR loss (over ≥ 20 packets, rr-loss.ts) feeds the loss side, and the RTT above its minimum (rtt.ts) replaces the
// trendline as the over-use signal; REMB still caps. A TWCC feedback arriving switches modes.
// Feedback silence for 3 intervals (≥ 4.5 s) while sending scales the target by 0.8 per second
// (libwebrtc's feedback timeout).
//
// Where this differs from libwebrtc, on purpose (each is commented where it is done):
// - an over-use while our 1 s send rate is below the busiest 150 ms the receiver saw in the last 3 s
//   and the queueing delay is under 150 ms is a keyframe burst draining by itself: hold, not cut;
// - the over-use back-off is 0.85 × max(R, busiest 150 ms of the last 500 ms), the receive rate
//   while the queue was busy, so a burst-shortened average does not cut below the capacity;
// - below the link capacity estimate − 3σ the increase is multiplicative again (§5.5's "far from
//   convergence"); libwebrtc stays additive there;
// - a further decrease waits one RTT after the last decrease, not after the last change.
import { InputError } from '../../../shared/errors';
import { AimdRateControl } from './aimd';
import { SendHistory } from './history';
import { InterArrival } from './inter-arrival';
import { LossBasedControl, LOSS } from './loss-based';
import { RateWindow, WindowedMin } from './rate-window';
import type { ReportBlock, RtcpFeedback } from './rtcp';
import { ReceiverReportLoss } from './rr-loss';
import { RttQueueDetector, SenderReportLog } from './rtt';
import { TrendlineDetector, type BandwidthUsage } from './trendline';
import type { TwccFeedback } from './twcc';
import type { BweMode, BweOptions, BweReason, BweStats, BweTarget } from './types';

export type { BweMode, BweOptions, BweReason, BweStats, BweTarget } from './types';

/** Transport feedback loss is reported in windows of this length (libwebrtc's kLossUpdateInterval). */
export const LOSS_WINDOW_MS = 1000;
const FEEDBACK_TIMEOUT_MIN_MS = 4500;
const TIMEOUT_FACTOR = 0.8;
const NO_ACKED_BACKOFF_MS = 200;
const RR_RTT_VALID_MS = 10_000;
/** Sub-window of the acked rate whose peak approximates the bottleneck rate while a queue is busy. */
const PEAK_WINDOW_MS = 150;
/**
 * Our addition to GCC for keyframe bursts (paced at 2.5 × the target, a keyframe queues at any
 * bottleneck below that, and the trendline sees it): an over-use while the 1 s send rate is below
 * the busiest 150 ms the receiver saw in the last BURST_MEMORY_MS (≈ the bottleneck rate, learned
 * at the previous keyframe) and the queueing delay is under BURST_QUEUE_MS drains by itself: hold
 * rather than cut. A real over-use (sending above that rate, or a queue past 150 ms) still cuts.
 */
const BURST_QUEUE_MS = 150;
const BURST_MEMORY_MS = 3000;

export class SendSideBandwidthEstimator {
  private minBps: number;
  private maxBps: number;
  private modeNow: BweMode;
  private readonly pacingFactor: number;
  private readonly lossSsrc: number | undefined;
  private readonly history: SendHistory;
  private readonly interArrival = new InterArrival();
  private readonly trendline = new TrendlineDetector();
  private readonly aimd: AimdRateControl;
  private readonly loss: LossBasedControl;
  private readonly ackedRate = new RateWindow(500, 20, 150);
  private readonly ackedLong = new RateWindow(BURST_MEMORY_MS, BURST_MEMORY_MS / 25, 150);
  private readonly sendRate = new RateWindow(1000, 20, 250);
  private readonly owdMin = new WindowedMin(10_000, 10);
  private queueDelayMs: number | undefined;
  private readonly srLog = new SenderReportLog();
  private readonly rttQueue = new RttQueueDetector();
  private now = -Infinity;
  private refTicks: number | undefined;
  private refRaw = 0;
  private lossExpected = 0;
  private lossLost = 0;
  private lossWindowStart: number | undefined;
  private rrRttMs: number | undefined;
  private rrRttAt = -Infinity;
  private feedbackRttMs: number | undefined;
  /** Mean gap between feedback (TWCC) or loss reports (RR mode), and a slowly decaying maximum. */
  private feedbackIntervalMs: number;
  private feedbackGapMaxMs: number;
  private lastFeedbackMs: number | undefined;
  private lastSentMs: number | undefined;
  private lastTimeoutMs: number | undefined;
  private lastNoAckedBackoff = -Infinity;
  private receiveEstimate: number | undefined;
  private remb: number | undefined;
  private usage: BandwidthUsage = 'normal';
  private burstHold = false;
  private lastRrDecreaseMs = -Infinity;
  private readonly recentBlocks: string[] = [];
  private readonly rrLoss = new ReceiverReportLoss();
  private current: BweTarget;
  private counters = { feedbacks: 0, ignored: 0 };

  constructor(opts: BweOptions) {
    const { minBps, maxBps, startBps } = opts;
    if (!(minBps > 0) || !(maxBps >= minBps) || !Number.isFinite(maxBps) || !Number.isFinite(startBps)) {
      throw new InputError('invalid-argument', `bandwidth estimator bounds min ${minBps} max ${maxBps} start ${startBps}`);
    }
    this.minBps = minBps;
    this.maxBps = maxBps;
    this.modeNow = opts.transportCc ? 'transport-cc' : 'receiver-reports';
    // RR mode starts by assuming RFC 3550 §6.2's 5 s report interval until reports show otherwise.
    this.feedbackIntervalMs = opts.transportCc ? 100 : 1000;
    this.feedbackGapMaxMs = opts.transportCc ? 100 : 5000;
    this.pacingFactor = opts.pacingFactor ?? 2.5;
    this.lossSsrc = opts.lossSsrc;
    this.history = new SendHistory(opts.historyCapacity ?? 1 << 14, opts.historyMs ?? 5000);
    const start = Math.min(maxBps, Math.max(minBps, startBps));
    this.aimd = new AimdRateControl({ startBps: start, minBps, maxBps });
    this.loss = new LossBasedControl({ startBps: start, minBps, maxBps });
    this.current = this.makeTarget(start, 'hold', 'start');
  }

  get mode(): BweMode {
    return this.modeNow;
  }

  target(): BweTarget {
    return { ...this.current };
  }

  stats(): BweStats {
    return {
      historyEntries: this.history.size,
      srLogEntries: this.srLog.size,
      rttSamples: this.rttQueue.size,
      feedbacks: this.counters.feedbacks,
      ignored: this.counters.ignored,
      interArrivalResets: this.interArrival.resets,
    };
  }

  /** Change the bounds (the user changed the destination's bitrate). */
  setBounds(minBps: number, maxBps: number): void {
    if (!(minBps > 0) || !(maxBps >= minBps) || !Number.isFinite(maxBps)) {
      throw new InputError('invalid-argument', `bandwidth estimator bounds min ${minBps} max ${maxBps}`);
    }
    this.minBps = minBps;
    this.maxBps = maxBps;
    this.aimd.setBounds(minBps, maxBps);
    this.loss.setBounds(minBps, maxBps);
    this.combine(this.clock(this.now), false);
  }

  /**
   * A media packet (audio or video, RTX included) left with this transport-wide sequence number
   * (16 bits; wraps) and size on the wire. In receiver-report mode only time and size are used, so
   * any counter will do.
   */
  onPacketSent(seq: number, sendTimeMs: number, bytes: number): void {
    if (!Number.isInteger(seq) || !Number.isFinite(sendTimeMs) || !(bytes > 0 && bytes <= 0xffff)) {
      this.counters.ignored++;
      return;
    }
    const now = this.clock(sendTimeMs);
    if (!this.history.onSent(seq, sendTimeMs, bytes)) this.counters.ignored++;
    this.sendRate.add(now, bytes);
    this.lastSentMs = now;
    this.process(now);
  }

  /** Our SR left carrying this NTP time (middle 32 bits): lets report blocks give an RTT. */
  onSenderReportSent(ntpMiddle32: number, nowMs: number): void {
    if (!Number.isFinite(ntpMiddle32)) return;
    const now = this.clock(nowMs);
    this.srLog.add(ntpMiddle32, now, this.sendRate.rateAtBps(now));
  }

  /** Time-based work (feedback timeout); called from onPacketSent, or by a timer. */
  process(nowMs: number): void {
    const now = this.clock(nowMs);
    if (this.lastFeedbackMs === undefined || this.lastSentMs === undefined || now - this.lastSentMs > 1000) return;
    // Three feedback intervals (libwebrtc: 3 × 1.5 s), against the longest recent gap so that a
    // server sending RRs every 5 s (RFC 3550 §6.2's minimum without AVPF) is not timed out.
    const timeout = Math.max(FEEDBACK_TIMEOUT_MIN_MS, 3 * this.feedbackGapMaxMs);
    if (now - this.lastFeedbackMs <= timeout) return;
    if (this.lastTimeoutMs !== undefined && now - this.lastTimeoutMs < 1000) return;
    this.lastTimeoutMs = now;
    this.loss.scale(TIMEOUT_FACTOR, now);
    this.combine(now, true);
  }

  /** Dispatch one parsed RTCP feedback item (./rtcp.ts parseRtcpFeedback). */
  onRtcp(item: RtcpFeedback, nowMs: number): void {
    if (item.kind === 'twcc') this.onTransportFeedback(item.twcc, nowMs);
    else if (item.kind === 'remb') this.onRemb(item.remb.bitrateBps, nowMs);
    else for (const b of item.report.blocks) this.onReceiverReport(b, nowMs);
  }

  onTransportFeedback(fb: TwccFeedback, nowMs: number): void {
    const now = this.clock(nowMs);
    this.modeNow = 'transport-cc';
    this.counters.feedbacks++;
    const m = this.history.applyFeedback(fb, this.unwrapReference(fb.referenceTime), now);
    this.counters.ignored += m.unknown;
    this.noteFeedback(now);
    if (m.expected === 0 && m.recovered === 0) return;

    this.lossExpected += m.expected;
    this.lossLost = Math.max(0, this.lossLost + m.lost - m.recovered);
    this.lossWindowStart ??= now;
    if (now - this.lossWindowStart >= LOSS_WINDOW_MS && this.lossExpected > 0) {
      this.loss.onLossReport(this.lossLost / this.lossExpected, now);
      this.lossExpected = 0;
      this.lossLost = 0;
      this.lossWindowStart = now;
    }
    for (const p of m.acked) {
      this.ackedRate.add(p.arrivalMs, p.bytes);
      this.ackedLong.add(p.arrivalMs, p.bytes);
      this.owdMin.add(now, p.arrivalMs - p.sendMs);
    }
    const newest = m.acked[m.acked.length - 1];
    const owdBase = this.owdMin.value;
    if (newest && owdBase !== undefined) this.queueDelayMs = newest.arrivalMs - newest.sendMs - owdBase;
    if (m.newestSendMs !== undefined) {
      const sample = now - m.newestSendMs;
      if (sample >= 0 && sample < 60_000) this.feedbackRttMs = this.feedbackRttMs === undefined ? sample : 0.8 * this.feedbackRttMs + 0.2 * sample;
    }
    for (const p of m.acked) {
      const d = this.interArrival.add(p.sendMs, p.arrivalMs, now);
      if (d) this.usage = this.trendline.update(d.arrivalDeltaMs, d.sendDeltaMs, d.arrivalMs);
    }
    this.updateDelayBased(this.usage, this.ackedRate.rateBps(), this.ackedRate.peakRateBps(PEAK_WINDOW_MS), now);
    this.combine(now, false);
  }

  /** REMB from the receiver, bit/s: a cap on the target. */
  onRemb(bitrateBps: number, nowMs: number): void {
    if (!(bitrateBps >= 0) || !Number.isFinite(bitrateBps)) {
      this.counters.ignored++;
      return;
    }
    this.remb = bitrateBps;
    this.combine(this.clock(nowMs), false);
  }

  /** One report block about our media (from an RR or SR the receiver sent). */
  onReceiverReport(block: ReportBlock, nowMs: number): void {
    const now = this.clock(nowMs);
    const key = `${block.ssrc}:${block.highestSeq}:${block.cumulativeLost}:${block.lsr}:${block.dlsr}`;
    if (this.recentBlocks.includes(key)) {
      this.counters.ignored++;
      return;
    }
    this.recentBlocks.push(key);
    if (this.recentBlocks.length > 8) this.recentBlocks.shift();
    const rtt = this.srLog.rttMs(block, now);
    const sr = this.srLog.find(block);
    let fresh = false;
    if (rtt !== undefined && sr !== undefined) {
      this.rrRttMs = rtt;
      this.rrRttAt = now;
      if (this.rttQueue.onRtt(rtt, sr.sentMs)) fresh = true;
    }
    if (this.modeNow === 'transport-cc') return; // loss and delay come from transport feedback
    if (this.lossSsrc !== undefined && block.ssrc !== this.lossSsrc) return;
    this.noteFeedback(now);
    const measured = this.rrLoss.onBlock(block);
    if (measured !== undefined) this.loss.onLossReport(measured, now);
    const fraction = measured ?? this.loss.loss;
    // What we sent when the echoed SR left, scaled by the queue growth since the SR before it.
    const send = (fresh ? sr?.sendRateBps : undefined) ?? this.sendRate.rateAtBps(now);
    // (A draining queue delivers more than we send: 1 + dq/dt < 1.)
    const growth = Math.min(4, Math.max(-0.5, this.rttQueue.growth));
    this.receiveEstimate = send === undefined ? undefined : (send * (1 - fraction)) / (1 + growth);
    this.usage = this.rttQueue.state;
    // Samples over an interval that began before our last decrease cannot show its effect: hold.
    if (this.usage === 'overuse' && !(fresh && (this.rttQueue.prevSrSentMs ?? Infinity) >= this.lastRrDecreaseMs)) this.usage = 'underuse';
    const before = this.aimd.bitrateBps;
    this.updateDelayBased(this.usage, this.receiveEstimate, undefined, now);
    if (this.aimd.bitrateBps < before) this.lastRrDecreaseMs = now;
    this.combine(now, false);
  }

  private clock(t: number): number {
    if (Number.isFinite(t) && t > this.now) this.now = t;
    return Number.isFinite(this.now) ? this.now : 0;
  }

  private noteFeedback(now: number): void {
    if (this.lastFeedbackMs !== undefined) {
      const gap = Math.min(10_000, Math.max(0, now - this.lastFeedbackMs));
      this.feedbackIntervalMs = 0.9 * this.feedbackIntervalMs + 0.1 * gap;
      this.feedbackGapMaxMs = Math.max(gap, 0.95 * this.feedbackGapMaxMs);
    }
    this.lastFeedbackMs = now;
  }

  /** The 24-bit reference time (64 ms units) unwrapped to ms across feedbacks. */
  private unwrapReference(raw: number): number {
    if (this.refTicks === undefined) this.refTicks = raw;
    else this.refTicks += ((((raw - this.refRaw) & 0xffffff) + 0x800000) & 0xffffff) - 0x800000;
    this.refRaw = raw;
    return this.refTicks * 64;
  }

  private rttForControl(now: number): number | undefined {
    if (this.rrRttMs !== undefined && now - this.rrRttAt < RR_RTT_VALID_MS) return this.rrRttMs;
    return this.feedbackRttMs ?? this.rrRttMs;
  }

  /**
   * Drive the AIMD with one signal. `throughput` is R (the average receive rate); `peak`, when
   * known, the busiest 150 ms of it, which over-use decreases are based on.
   */
  private updateDelayBased(usage: BandwidthUsage, throughput: number | undefined, peak: number | undefined, now: number): void {
    const rtt = this.rttForControl(now) ?? 200;
    const response = rtt + Math.max(100, this.feedbackIntervalMs);
    this.burstHold = false;
    if (usage !== 'overuse') {
      this.aimd.update(usage, throughput, now, response);
    } else if (throughput !== undefined) {
      const base = Math.max(throughput, peak ?? 0);
      const sent = this.sendRate.rateAtBps(now);
      const busiest = peak === undefined ? undefined : this.ackedLong.peakRateBps(PEAK_WINDOW_MS);
      if (busiest !== undefined && sent !== undefined && sent < busiest && (this.queueDelayMs ?? 0) < BURST_QUEUE_MS) {
        // A burst (keyframe) queued behind the bottleneck, but we send less than the link delivered
        // while busy: the queue drains by itself. Hold instead of cutting (see BURST_QUEUE_MS).
        this.burstHold = true;
        this.aimd.update('underuse', throughput, now, response);
      } else if (this.aimd.timeToReduceFurther(now, rtt, base)) {
        this.aimd.update('overuse', base, now, response);
      }
    } else if (now - this.lastNoAckedBackoff >= NO_ACKED_BACKOFF_MS) {
      // Over-use before any measured throughput: halve every 200 ms (libwebrtc does the same).
      this.lastNoAckedBackoff = now;
      this.aimd.setEstimate(this.aimd.bitrateBps / 2, now);
    }
  }

  private combine(now: number, timedOut: boolean): void {
    const cap = Math.min(this.maxBps, this.remb ?? Infinity);
    const ad = this.aimd.bitrateBps;
    const as = this.loss.update(now, this.rttForControl(now) ?? 200, Math.min(ad, cap), this.queueing());
    const bps = Math.min(this.maxBps, Math.max(this.minBps, Math.min(as, ad, cap)));
    const prev = this.current.bitrateBps;
    const state = bps > prev ? 'increase' : bps < prev ? 'decrease' : 'hold';
    this.current = this.makeTarget(bps, state, this.reason(bps, ad, as, timedOut));
  }

  /** Whether the delay side sees a queue now (for the loss-based controller's 2-10 % band). */
  private queueing(): boolean {
    if (this.usage === 'overuse') return true;
    const q = this.modeNow === 'transport-cc' ? this.queueDelayMs : this.rttQueue.queueMs;
    return q === undefined || q >= LOSS.randomLossQueueMs;
  }

  private reason(bps: number, ad: number, as: number, timedOut: boolean): BweReason {
    if (timedOut) return 'feedback-timeout';
    if (this.remb !== undefined && this.remb < this.maxBps && this.remb <= Math.min(ad, as) + 1) return 'remb';
    if (bps >= this.maxBps) return 'max';
    if (this.lastFeedbackMs === undefined) return 'start';
    if (as < ad) {
      if (this.loss.loss > LOSS.high) return 'loss-high';
      return this.loss.loss >= LOSS.low ? 'loss-moderate' : 'ramp-up';
    }
    if (this.modeNow === 'receiver-reports') return this.usage === 'overuse' ? 'rtt-overuse' : this.usage === 'underuse' ? 'rtt-hold' : 'rtt-normal';
    if (this.usage === 'overuse') return this.burstHold ? 'delay-burst' : 'delay-overuse';
    if (this.usage === 'underuse') return 'delay-underuse';
    return this.aimd.throughputLimited ? 'throughput-limit' : 'delay-normal';
  }

  private makeTarget(bps: number, state: BweTarget['state'], reason: BweReason): BweTarget {
    return {
      bitrateBps: bps,
      state,
      reason,
      mode: this.modeNow,
      delayBased: this.aimd.bitrateBps,
      lossBased: this.loss.bitrateBps,
      acked: this.modeNow === 'transport-cc' ? this.ackedRate.rateBps() : this.receiveEstimate,
      queueDelayMs: this.modeNow === 'transport-cc' ? this.queueDelayMs : this.rttQueue.queueMs,
      rttMs: this.rttForControl(this.now),
      lossFraction: this.loss.loss,
      rembBps: this.remb,
      pacingRateBps: bps * this.pacingFactor,
    };
  }
}
