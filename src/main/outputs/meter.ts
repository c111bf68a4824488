// The one bitrate meter (R = L/T, the article's data rate): bytes are counted where they are
// sent, into 100 ms buckets of a 3 s ring; reading the rate never changes it, so any number of
// readers (stats, UI, tests) see the same figure. Pure apart from the default clock.

const BUCKET_MS = 100;
const BUCKETS = 30;

export class BitrateMeter {
  private readonly keys = new Float64Array(BUCKETS).fill(-1);
  private readonly bytes = new Float64Array(BUCKETS);
  /** Every byte ever counted. */
  total = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  add(n: number, at = this.now()): void {
    const k = Math.floor(at / BUCKET_MS);
    const slot = k % BUCKETS;
    if (this.keys[slot] !== k) {
      this.keys[slot] = k;
      this.bytes[slot] = 0;
    }
    this.bytes[slot] = (this.bytes[slot] ?? 0) + n;
    this.total += n;
  }

  /** Bytes per second over the `windowMs` before the current bucket (complete buckets only). */
  bytesPerSec(windowMs = 1000, at = this.now()): number {
    const span = Math.max(1, Math.min(BUCKETS - 1, Math.round(windowMs / BUCKET_MS)));
    const k = Math.floor(at / BUCKET_MS);
    let sum = 0;
    for (let i = k - span; i < k; i++) {
      const slot = ((i % BUCKETS) + BUCKETS) % BUCKETS;
      if (this.keys[slot] === i) sum += this.bytes[slot]!;
    }
    return (sum * 1000) / (span * BUCKET_MS);
  }

  /** kbit/s over the last second. */
  kbps(windowMs = 1000, at = this.now()): number {
    return (this.bytesPerSec(windowMs, at) * 8) / 1000;
  }
}
