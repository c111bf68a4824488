// The delay-based rate controller, draft-ietf-rmcat-gcc-02 §5.5 (an AIMD state machine driven by
// the over-use signal), in libwebrtc's send-side form:
// - signal → state (§5.5 table): over-use → decrease; normal → increase (from hold); under-use →
//   hold (queues are draining, let them);
// - decrease: A = β · R with β = 0.85 and R the acknowledged (receive) rate, never above the
//   current rate; the throughput at each decrease feeds a link capacity estimate (mean and
//   normalised variance, α = 0.05);
// - increase: multiplicative, η = 1.08 per second (§5.5), while far from convergence; additive
//   when close to it (§5.5: R within 3σ of the average rate at over-use): about one packet per
//   response time, where a packet is the average 1200-byte-bounded packet of a 30 fps frame and the
//   response time is RTT + the feedback interval (≥ 100 ms). R beyond the average + 3σ forgets
//   the average (§5.5: "the congestion level has changed"). libwebrtc stays additive below the
//   average too; the draft's reading recovers from a 0.85 back-off within ~2 s instead of ~10 s;
// - increases are bounded by 1.5 · R + 10 kbit/s (§5.5: A must not exceed 1.5 · R);
// - a further decrease waits one RTT (clamped 10-200 ms) after the last decrease unless the rate
//   collapsed below half (libwebrtc counts from the last change, increases included, which delays
//   the first back-off after a ramp by up to 200 ms).

import type { BandwidthUsage } from './trendline';

export type RateControlState = 'increase' | 'hold' | 'decrease';

export const AIMD = {
  beta: 0.85,
  eta: 1.08,
  minMultiplicativeIncreaseBps: 1000,
  minAdditiveBpsPerSecond: 4000,
  frameRate: 30,
  packetBytes: 1200,
  capacityAlpha: 0.05,
  minVariance: 0.4,
  maxVariance: 2.5,
  defaultRttMs: 200,
} as const;

/** Link capacity at the moments of over-use: an exponential mean and normalised variance, kbit/s. */
export class LinkCapacity {
  private estimateKbps: number | undefined;
  private variance: number = AIMD.minVariance;

  get estimateBps(): number | undefined {
    return this.estimateKbps === undefined ? undefined : this.estimateKbps * 1000;
  }

  private deviationKbps(): number {
    return Math.sqrt(this.variance * (this.estimateKbps ?? 0));
  }

  upperBps(): number {
    return this.estimateKbps === undefined ? Infinity : (this.estimateKbps + 3 * this.deviationKbps()) * 1000;
  }

  lowerBps(): number {
    return this.estimateKbps === undefined ? 0 : Math.max(0, this.estimateKbps - 3 * this.deviationKbps()) * 1000;
  }

  onOveruse(throughputBps: number): void {
    const x = throughputBps / 1000;
    const a = AIMD.capacityAlpha;
    this.estimateKbps = this.estimateKbps === undefined ? x : (1 - a) * this.estimateKbps + a * x;
    const err = this.estimateKbps - x;
    const v = (1 - a) * this.variance + (a * err * err) / Math.max(this.estimateKbps, 1);
    this.variance = Math.min(AIMD.maxVariance, Math.max(AIMD.minVariance, v));
  }

  reset(): void {
    this.estimateKbps = undefined;
  }
}

export interface AimdOptions {
  startBps: number;
  minBps: number;
  maxBps: number;
}

export class AimdRateControl {
  private rate: number;
  private minBps: number;
  private maxBps: number;
  private lastChangeMs: number | undefined;
  private lastDecreaseMs: number | undefined;
  readonly capacity = new LinkCapacity();
  state: RateControlState = 'hold';
  /** Whether the last update was bounded by 1.5 · R + 10 kbit/s. */
  throughputLimited = false;

  constructor(opts: AimdOptions) {
    this.minBps = opts.minBps;
    this.maxBps = opts.maxBps;
    this.rate = this.clamp(opts.startBps);
  }

  get bitrateBps(): number {
    return this.rate;
  }

  setBounds(minBps: number, maxBps: number): void {
    this.minBps = minBps;
    this.maxBps = maxBps;
    this.rate = this.clamp(this.rate);
  }

  /** Force an estimate (the no-throughput-yet back-off, a feedback timeout). */
  setEstimate(bps: number, nowMs: number): void {
    if (bps < this.rate) this.lastDecreaseMs = nowMs;
    this.rate = this.clamp(bps);
    this.lastChangeMs = nowMs;
  }

  /** May an over-use lower the rate again now (libwebrtc's TimeToReduceFurther)? */
  timeToReduceFurther(nowMs: number, rttMs: number, throughputBps: number): boolean {
    const interval = Math.min(200, Math.max(10, rttMs));
    if (this.lastDecreaseMs === undefined || nowMs - this.lastDecreaseMs >= interval) return true;
    return throughputBps < 0.5 * this.rate;
  }

  /**
   * One step. `throughputBps` is the acknowledged rate (undefined until known); `responseMs` the
   * RTT plus feedback interval the additive increase is paced by.
   */
  update(usage: BandwidthUsage, throughputBps: number | undefined, nowMs: number, responseMs: number): number {
    if (usage === 'overuse') this.state = 'decrease';
    else if (usage === 'underuse') this.state = 'hold';
    else if (this.state === 'hold') {
      this.state = 'increase';
      this.lastChangeMs = nowMs;
    }
    this.throughputLimited = false;
    const last = this.lastChangeMs ?? nowMs;
    const dtMs = Math.max(0, nowMs - last);
    if (this.state === 'increase') {
      if (throughputBps !== undefined && throughputBps > this.capacity.upperBps()) this.capacity.reset();
      const limit = throughputBps === undefined ? Infinity : 1.5 * throughputBps + 10_000;
      if (this.rate < limit) {
        const near = this.capacity.estimateBps !== undefined && (throughputBps ?? this.rate) >= this.capacity.lowerBps();
        const inc = near ? this.additiveIncrease(dtMs, responseMs) : this.multiplicativeIncrease(dtMs);
        const next = this.rate + inc;
        this.throughputLimited = next > limit;
        this.rate = this.clamp(Math.min(next, limit));
      } else {
        this.throughputLimited = true;
      }
      this.lastChangeMs = nowMs;
    } else if (this.state === 'decrease') {
      if (throughputBps !== undefined) {
        let next = AIMD.beta * throughputBps;
        const cap = this.capacity.estimateBps;
        if (next > this.rate && cap !== undefined) next = AIMD.beta * cap;
        if (next < this.rate) this.rate = this.clamp(next);
        if (throughputBps < this.capacity.lowerBps()) this.capacity.reset();
        this.capacity.onOveruse(throughputBps);
      }
      // Stay on hold until the queues have drained (§5.5).
      this.state = 'hold';
      this.lastChangeMs = nowMs;
      this.lastDecreaseMs = nowMs;
    }
    return this.rate;
  }

  private multiplicativeIncrease(dtMs: number): number {
    const alpha = AIMD.eta ** Math.min(dtMs / 1000, 1);
    return Math.max(this.rate * (alpha - 1), AIMD.minMultiplicativeIncreaseBps * Math.min(dtMs / 1000, 1));
  }

  /** libwebrtc's near-max increase: one average packet per response time. */
  private additiveIncrease(dtMs: number, responseMs: number): number {
    const frameBits = this.rate / AIMD.frameRate;
    const packets = Math.max(1, Math.ceil(frameBits / (8 * AIMD.packetBytes)));
    const packetBits = frameBits / packets;
    const perSecond = Math.max(AIMD.minAdditiveBpsPerSecond, (packetBits * 1000) / Math.max(1, responseMs));
    return (perSecond * dtMs) / 1000;
  }

  private clamp(bps: number): number {
    return Math.min(this.maxBps, Math.max(this.minBps, bps));
  }
}
