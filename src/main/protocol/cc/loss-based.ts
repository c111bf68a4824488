// The loss-based controller, draft-ietf-rmcat-gcc-02 §6, with libwebrtc's timing:
// - loss > 10 %: As = As · (1 − 0.5 · loss), once per loss report and at most every 300 ms + RTT;
// - loss < 2 %:  As = 1.05-1.08 · As per second (§6 says 1.05; libwebrtc uses 8 %/s + 1 kbit/s);
// - otherwise hold — except (our addition) while the caller sees no queue: loss in 2-10 % with no
//   queueing delay is not the bottleneck's (a drop-tail queue fills, and shows delay, before it
//   drops), so As grows as below 2 %. Without this, As, which follows Ad down (below), stays at the
//   bottom of any dip for as long as a link's random loss stays above 2 % (§6 has no way back up:
//   a 5 % lossy path kept a fixed-rate stream at half its rate after one delay spike).
//   Loss above 10 % still cuts, queue or not.
// As never exceeds the delay-based rate or the receiver's cap (§6: "A = min(As, Ar)" and libwebrtc
// keeps its target below both), so it cannot run ahead of what the delay side allows.

export type LossState = 'increase' | 'hold' | 'decrease';

export const LOSS = {
  low: 0.02,
  high: 0.1,
  increasePerSecond: 1.08,
  increaseBpsPerSecond: 1000,
  decreaseIntervalMs: 300,
  /** Queueing delay below which 2-10 % loss counts as random (see the header), ms. */
  randomLossQueueMs: 30,
  /** Without a loss report for this long the controller stops increasing. */
  staleMs: 6000,
} as const;

export interface LossBasedOptions {
  startBps: number;
  minBps: number;
  maxBps: number;
}

export class LossBasedControl {
  private rate: number;
  private minBps: number;
  private maxBps: number;
  private lastUpdateMs: number | undefined;
  private lastDecreaseMs: number | undefined;
  private lastReportMs: number | undefined;
  private decreasedSinceReport = false;
  /** The last reported loss fraction, 0..1. */
  loss = 0;
  state: LossState = 'hold';

  constructor(opts: LossBasedOptions) {
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

  /** A new loss measurement (RR fraction lost, or lost/expected from transport feedback). */
  onLossReport(fraction: number, nowMs: number): void {
    if (!Number.isFinite(fraction)) return;
    this.loss = Math.min(1, Math.max(0, fraction));
    this.lastReportMs = nowMs;
    this.decreasedSinceReport = false;
  }

  /** Scale the rate down now (feedback timeout); `factor` in (0, 1). */
  scale(factor: number, nowMs: number): void {
    this.rate = this.clamp(this.rate * factor);
    this.lastDecreaseMs = nowMs;
    this.lastUpdateMs = nowMs;
    this.state = 'decrease';
  }

  /**
   * Advance to `nowMs` under the cap `capBps` (delay-based rate, REMB). `queueing`: the delay side
   * sees a queue (over-use, or queueing delay above its threshold); false lets 2-10 % loss grow As.
   */
  update(nowMs: number, rttMs: number, capBps: number, queueing = true): number {
    const last = this.lastUpdateMs ?? nowMs;
    this.lastUpdateMs = nowMs;
    const dt = Number.isFinite(nowMs - last) ? Math.min(1000, Math.max(0, nowMs - last)) : 0;
    const stale = this.lastReportMs !== undefined && nowMs - this.lastReportMs > LOSS.staleMs;
    if (!stale && (this.loss < LOSS.low || (this.loss <= LOSS.high && !queueing))) {
      const next = this.rate * LOSS.increasePerSecond ** (dt / 1000) + (LOSS.increaseBpsPerSecond * dt) / 1000;
      this.state = next > this.rate ? 'increase' : 'hold';
      this.rate = next;
    } else if (this.loss <= LOSS.high || stale) {
      this.state = 'hold';
    } else if (
      !this.decreasedSinceReport &&
      (this.lastDecreaseMs === undefined || nowMs - this.lastDecreaseMs >= LOSS.decreaseIntervalMs + rttMs)
    ) {
      this.rate *= 1 - 0.5 * this.loss;
      this.lastDecreaseMs = nowMs;
      this.decreasedSinceReport = true;
      this.state = 'decrease';
    } else {
      this.state = 'hold';
    }
    this.rate = this.clamp(Math.min(this.rate, capBps));
    return this.rate;
  }

  private clamp(bps: number): number {
    return Math.min(this.maxBps, Math.max(this.minBps, bps));
  }
}
