// A bitrate over a sliding time window, in fixed buckets (constant memory whatever the input).
// Used for the acknowledged bitrate (bytes by receive time, see ./estimator.ts) and for the send
// rate the receiver-report fallback needs. Times are ms on any clock, as long as one window uses
// one clock; a jump of more than `resetAfterMs` either way starts the window again.

export class RateWindow {
  private readonly buckets: Float64Array;
  private readonly bucketMs: number;
  /** Index (time / bucketMs, floored) of the newest bucket; undefined before the first sample. */
  private head: number | undefined;
  /** Time of the first sample since the last reset. */
  private firstMs = 0;
  private lastMs = 0;

  constructor(
    readonly windowMs: number,
    bucketCount: number,
    /** Least span of samples before a rate is given, ms. */
    private readonly minSpanMs = windowMs / 4,
    private readonly resetAfterMs = 10_000,
  ) {
    this.buckets = new Float64Array(bucketCount);
    this.bucketMs = windowMs / bucketCount;
  }

  add(timeMs: number, bytes: number): void {
    if (!Number.isFinite(timeMs) || !(bytes > 0) || !Number.isFinite(bytes)) return;
    const idx = Math.floor(timeMs / this.bucketMs);
    if (this.head === undefined || Math.abs(timeMs - this.lastMs) > this.resetAfterMs) {
      this.buckets.fill(0);
      this.head = idx;
      this.firstMs = timeMs;
      this.lastMs = timeMs;
    } else if (idx > this.head) {
      const steps = Math.min(idx - this.head, this.buckets.length);
      for (let i = 1; i <= steps; i++) this.buckets[this.slot(this.head + i)] = 0;
      this.head = idx;
    } else if (idx <= this.head - this.buckets.length) {
      return; // older than the window (reordered)
    }
    if (timeMs < this.firstMs) this.firstMs = timeMs;
    if (timeMs > this.lastMs) this.lastMs = timeMs;
    const s = this.slot(idx);
    this.buckets[s] = this.buckets[s]! + bytes;
  }

  /** Bits per second over the window ending at the newest sample; undefined while too short. */
  rateBps(): number | undefined {
    return this.head === undefined ? undefined : this.rateAtBps(this.lastMs);
  }

  /** Bits per second over the window ending at `nowMs` (nothing was added after the newest sample). */
  rateAtBps(nowMs: number): number | undefined {
    if (this.head === undefined) return undefined;
    const n = this.buckets.length;
    const end = Math.max(nowMs, this.lastMs);
    const idle = Math.floor(end / this.bucketMs) - this.head;
    if (idle >= n) return 0;
    // The buckets in use cover (n − 1) whole buckets and the newest one up to `end`.
    const b = this.bucketMs;
    const span = Math.min((n - 1) * b + (end - Math.floor(end / b) * b), end - this.firstMs);
    if (span < this.minSpanMs) return undefined;
    let sum = 0;
    for (let j = 0; j < n - idle; j++) sum += this.buckets[this.slot(this.head - j)]!;
    return (sum * 8 * 1000) / span;
  }

  /**
   * The highest rate over `subWindowMs` (whole buckets) inside the window: while a queue is busy
   * the receiver sees packets at the bottleneck's rate, so this peak approaches the capacity.
   */
  peakRateBps(subWindowMs: number): number | undefined {
    if (this.head === undefined) return undefined;
    const n = this.buckets.length;
    const k = Math.max(1, Math.min(n, Math.round(subWindowMs / this.bucketMs)));
    const have = Math.min(n, Math.floor(this.lastMs / this.bucketMs) - Math.floor(this.firstMs / this.bucketMs) + 1);
    if (have < k) return undefined;
    let best = 0;
    let sum = 0;
    for (let j = 0; j < have; j++) {
      sum += this.buckets[this.slot(this.head - j)]!;
      if (j >= k) sum -= this.buckets[this.slot(this.head - j + k)]!;
      if (j >= k - 1 && sum > best) best = sum;
    }
    return (best * 8 * 1000) / (k * this.bucketMs);
  }

  reset(): void {
    this.buckets.fill(0);
    this.head = undefined;
  }

  private slot(idx: number): number {
    const n = this.buckets.length;
    return ((idx % n) + n) % n;
  }
}

/** The minimum of a value over a sliding time window, in fixed buckets (constant memory). */
export class WindowedMin {
  private readonly mins: Float64Array;
  private readonly bucketMs: number;
  private head: number | undefined;

  constructor(windowMs: number, bucketCount: number) {
    this.mins = new Float64Array(bucketCount).fill(Infinity);
    this.bucketMs = windowMs / bucketCount;
  }

  add(timeMs: number, value: number): void {
    if (!Number.isFinite(timeMs) || !Number.isFinite(value)) return;
    const n = this.mins.length;
    const idx = Math.floor(timeMs / this.bucketMs);
    if (this.head === undefined || idx - this.head >= n || idx < this.head - n * 100) {
      this.mins.fill(Infinity);
      this.head = idx;
    } else if (idx > this.head) {
      for (let i = this.head + 1; i <= idx; i++) this.mins[((i % n) + n) % n] = Infinity;
      this.head = idx;
    } else if (idx <= this.head - n) {
      return;
    }
    const s = ((idx % n) + n) % n;
    if (value < this.mins[s]!) this.mins[s] = value;
  }

  get value(): number | undefined {
    let m = Infinity;
    for (const v of this.mins) if (v < m) m = v;
    return m === Infinity ? undefined : m;
  }
}
