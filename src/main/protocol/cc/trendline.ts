// Delay-gradient filter and over-use detector.
// - The filter is libwebrtc's trendline (which replaced the Kalman filter of draft-ietf-rmcat-gcc-02
//   §5.3): the accumulated delay variation Σ d(i) is smoothed exponentially (coefficient 0.9) and a
//   least-squares line is fitted over the last 20 groups (smoothed delay against arrival time). Its
//   slope estimates (send rate − capacity) / capacity: > 0 while a queue builds.
// - The detector is §5.4: the slope, scaled by the number of deltas seen (up to 60) and a gain of 4
//   to be comparable with the draft's m(i) in ms, is compared with an adaptive threshold γ(i).
//   Over-use is signalled once m(i) > γ(i) for more than 10 ms over at least two groups and m(i)
//   is not falling; under-use when m(i) < −γ(i); normal otherwise.
// - The threshold adapts as §5.4 eq. 5: γ(i) = γ(i−1) + Δt·K(i)·(|m(i)| − γ(i−1)), with K = k_u
//   (0.0087) when |m| > γ and k_d (0.039) otherwise, Δt ≤ 100 ms, γ clamped to [6, 600], and no
//   update when |m(i)| − γ(i) > 15 (a sudden spike must not raise the threshold).

export type BandwidthUsage = 'normal' | 'overuse' | 'underuse';

export const TRENDLINE = {
  windowSize: 20,
  smoothing: 0.9,
  thresholdGain: 4,
  minNumDeltas: 60,
  deltaCounterMax: 1000,
  initialThreshold: 12.5,
  kUp: 0.0087,
  kDown: 0.039,
  minThreshold: 6,
  maxThreshold: 600,
  maxAdaptOffset: 15,
  maxThresholdDeltaMs: 100,
  overuseTimeMs: 10,
} as const;

export class TrendlineDetector {
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;
  private count = 0;
  private next = 0;
  private numDeltas = 0;
  private firstArrivalMs: number | undefined;
  private accumulated = 0;
  private smoothed = 0;
  private prevTrend = 0;
  private timeOverUsing = -1;
  private overuseCounter = 0;
  private lastThresholdUpdateMs: number | undefined;
  /** γ(i), ms. */
  threshold: number = TRENDLINE.initialThreshold;
  /** The last m(i): the scaled slope compared with the threshold. */
  modifiedTrend = 0;
  state: BandwidthUsage = 'normal';

  constructor(readonly windowSize: number = TRENDLINE.windowSize) {
    this.xs = new Float64Array(windowSize);
    this.ys = new Float64Array(windowSize);
  }

  /** The last fitted slope (dimensionless, ms of delay per ms of arrival). */
  get trend(): number {
    return this.prevTrend;
  }

  /** One inter-group delta (./inter-arrival.ts). */
  update(arrivalDeltaMs: number, sendDeltaMs: number, arrivalMs: number): BandwidthUsage {
    const d = arrivalDeltaMs - sendDeltaMs;
    if (!Number.isFinite(d) || !Number.isFinite(arrivalMs)) return this.state;
    this.numDeltas = Math.min(this.numDeltas + 1, TRENDLINE.deltaCounterMax);
    if (this.firstArrivalMs === undefined) this.firstArrivalMs = arrivalMs;
    this.accumulated += d;
    this.smoothed = TRENDLINE.smoothing * this.smoothed + (1 - TRENDLINE.smoothing) * this.accumulated;
    this.xs[this.next] = arrivalMs - this.firstArrivalMs;
    this.ys[this.next] = this.smoothed;
    this.next = (this.next + 1) % this.windowSize;
    this.count = Math.min(this.count + 1, this.windowSize);
    let trend = this.prevTrend;
    if (this.count === this.windowSize) trend = this.fitSlope() ?? trend;
    this.detect(trend, sendDeltaMs, arrivalMs);
    return this.state;
  }

  reset(): void {
    this.count = 0;
    this.next = 0;
    this.numDeltas = 0;
    this.firstArrivalMs = undefined;
    this.accumulated = 0;
    this.smoothed = 0;
    this.prevTrend = 0;
    this.timeOverUsing = -1;
    this.overuseCounter = 0;
    this.lastThresholdUpdateMs = undefined;
    this.threshold = TRENDLINE.initialThreshold;
    this.modifiedTrend = 0;
    this.state = 'normal';
  }

  private fitSlope(): number | undefined {
    const n = this.count;
    let sx = 0;
    let sy = 0;
    for (let i = 0; i < n; i++) {
      sx += this.xs[i]!;
      sy += this.ys[i]!;
    }
    const mx = sx / n;
    const my = sy / n;
    let num = 0;
    let den = 0;
    for (let i = 0; i < n; i++) {
      const dx = this.xs[i]! - mx;
      num += dx * (this.ys[i]! - my);
      den += dx * dx;
    }
    const slope = num / den;
    return den === 0 || !Number.isFinite(slope) ? undefined : slope;
  }

  private detect(trend: number, sendDeltaMs: number, nowMs: number): void {
    if (this.numDeltas < 2) {
      this.state = 'normal';
      return;
    }
    const m = Math.min(this.numDeltas, TRENDLINE.minNumDeltas) * trend * TRENDLINE.thresholdGain;
    this.modifiedTrend = m;
    if (m > this.threshold) {
      this.timeOverUsing = this.timeOverUsing === -1 ? sendDeltaMs / 2 : this.timeOverUsing + sendDeltaMs;
      this.overuseCounter++;
      if (this.timeOverUsing > TRENDLINE.overuseTimeMs && this.overuseCounter > 1 && trend >= this.prevTrend) {
        this.timeOverUsing = 0;
        this.overuseCounter = 0;
        this.state = 'overuse';
      }
    } else if (m < -this.threshold) {
      this.timeOverUsing = -1;
      this.overuseCounter = 0;
      this.state = 'underuse';
    } else {
      this.timeOverUsing = -1;
      this.overuseCounter = 0;
      this.state = 'normal';
    }
    this.prevTrend = trend;
    this.updateThreshold(m, nowMs);
  }

  private updateThreshold(m: number, nowMs: number): void {
    const last = this.lastThresholdUpdateMs ?? nowMs;
    this.lastThresholdUpdateMs = nowMs;
    const abs = Math.abs(m);
    if (abs > this.threshold + TRENDLINE.maxAdaptOffset) return;
    const k = abs < this.threshold ? TRENDLINE.kDown : TRENDLINE.kUp;
    const dt = Math.max(0, Math.min(nowMs - last, TRENDLINE.maxThresholdDeltaMs));
    const next = this.threshold + k * (abs - this.threshold) * dt;
    this.threshold = Math.min(TRENDLINE.maxThreshold, Math.max(TRENDLINE.minThreshold, next));
  }
}
