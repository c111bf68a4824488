// Keyframe requests from the far end (RFC 4585 §6.3.1 PLI, RFC 5104 §4.3.1 FIR) turned into a
// rate-limited 'keyframeRequest' for the encoder. RFC 5104 §4.3.1.2: a sender may ignore repeated
// FIRs arriving faster than it can react. We emit at once when the last emission is at least
// `minIntervalMs` old; otherwise one trailing request fires when the window ends, unless a
// keyframe went out in the meantime (which already answers it).

export interface KeyframeLimiterOptions {
  minIntervalMs: number;
  emit: () => void;
  now?: () => number;
}

export class KeyframeRequestLimiter {
  private lastEmit = -Infinity;
  private trailing: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  requests = 0;
  emitted = 0;

  constructor(private readonly opts: KeyframeLimiterOptions) {
    this.now = opts.now ?? (() => performance.now());
  }

  request(): void {
    this.requests++;
    const t = this.now();
    const since = t - this.lastEmit;
    if (since >= this.opts.minIntervalMs) {
      this.fire(t);
      return;
    }
    if (!this.trailing) {
      this.trailing = setTimeout(() => {
        this.trailing = undefined;
        this.fire(this.now());
      }, this.opts.minIntervalMs - since);
    }
  }

  /** A keyframe was sent: a pending trailing request is answered. */
  keyframeSent(): void {
    if (this.trailing) clearTimeout(this.trailing);
    this.trailing = undefined;
  }

  close(): void {
    this.keyframeSent();
  }

  private fire(t: number): void {
    this.lastEmit = t;
    this.emitted++;
    this.opts.emit();
  }
}
