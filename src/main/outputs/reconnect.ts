// The reconnect policy of every output (OBS defaults): first retry after 2 s, each later delay
// ×1.5 plus up to 5% jitter, capped at 15 min, at most 25 tries. Used after a disconnect and after
// a failed first connect, never for an error a retry cannot fix (outputs/errors.ts). Pure.

export interface ReconnectOptions {
  enabled?: boolean;
  firstDelayMs?: number;
  multiplier?: number;
  /** Up to this fraction is added at random to each delay. */
  jitter?: number;
  maxDelayMs?: number;
  maxRetries?: number;
  random?: () => number;
}

export class ReconnectPolicy {
  readonly enabled: boolean;
  readonly firstDelayMs: number;
  readonly multiplier: number;
  readonly jitter: number;
  readonly maxDelayMs: number;
  readonly maxRetries: number;
  private readonly random: () => number;

  constructor(o: ReconnectOptions = {}) {
    this.enabled = o.enabled ?? true;
    this.firstDelayMs = o.firstDelayMs ?? 2000;
    this.multiplier = o.multiplier ?? 1.5;
    this.jitter = o.jitter ?? 0.05;
    this.maxDelayMs = o.maxDelayMs ?? 15 * 60 * 1000;
    this.maxRetries = o.maxRetries ?? 25;
    this.random = o.random ?? Math.random;
  }

  /** Delay before attempt `attempt` (1-based), or undefined when no attempt is left. */
  delayMs(attempt: number): number | undefined {
    if (!this.enabled || attempt < 1 || attempt > this.maxRetries) return undefined;
    const base = Math.min(this.maxDelayMs, this.firstDelayMs * this.multiplier ** (attempt - 1));
    return Math.round(Math.min(this.maxDelayMs, base * (1 + this.jitter * this.random())));
  }
}
