// The one keyframe-request limiter (as mediasoup's KeyFrameRequestManager is for its producers):
// every request for an IDR — a PLI or FIR from a WHIP receiver, a destination joining, an output
// reconnecting — goes through the limiter of its encoder group, nowhere else.
//
// RFC 5104 §4.3.1.2 lets a sender ignore repeated FIRs that arrive faster than it can react. We
// force an IDR at once when the last keyframe (forced or from the GOP) is at least
// `minIntervalMs` old, so a request is answered by the very next frame. A request inside the
// window is coalesced into one trailing request at the window's end, which a keyframe produced
// meanwhile cancels (it already answers it). Pure apart from the injected clock and timer.

export type KeyframeReason = 'pli' | 'join' | 'reconnect' | 'switch' | 'recover';

export interface KeyframeLimiterOptions {
  /** Shortest spacing of forced keyframes, ms. */
  minIntervalMs: number;
  /** Ask the encoder for an IDR at its next frame. */
  force: () => void;
  now?: () => number;
}

export interface KeyframeLimiterStats {
  requests: number;
  forced: number;
  coalesced: number;
}

export class KeyframeLimiter {
  private lastKeyframe = -Infinity;
  private trailing: ReturnType<typeof setTimeout> | undefined;
  private readonly now: () => number;
  private closed = false;
  readonly stats: KeyframeLimiterStats = { requests: 0, forced: 0, coalesced: 0 };

  constructor(private readonly opts: KeyframeLimiterOptions) {
    this.now = opts.now ?? (() => performance.now());
  }

  request(_reason: KeyframeReason = 'pli'): void {
    if (this.closed) return;
    this.stats.requests++;
    const since = this.now() - this.lastKeyframe;
    if (since >= this.opts.minIntervalMs) {
      this.fire();
      return;
    }
    this.stats.coalesced++;
    this.trailing ??= setTimeout(() => {
      this.trailing = undefined;
      this.fire();
    }, this.opts.minIntervalMs - since);
  }

  /** The encoder produced a keyframe (forced or scheduled): a pending trailing request is answered. */
  keyframeProduced(): void {
    this.lastKeyframe = this.now();
    if (this.trailing) clearTimeout(this.trailing);
    this.trailing = undefined;
  }

  close(): void {
    this.closed = true;
    if (this.trailing) clearTimeout(this.trailing);
    this.trailing = undefined;
  }

  private fire(): void {
    if (this.closed) return;
    this.lastKeyframe = this.now();
    this.stats.forced++;
    this.opts.force();
  }
}
