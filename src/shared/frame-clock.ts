// A steady frame clock: ticks at exact multiples of the frame interval from its start, however
// late the timer fires. A tick that fires after its successor's deadline skips the missed
// frames (counted as dropped); a tick later than half a frame is counted as late.

export interface FrameTick {
  /** Frame number since start. */
  index: number;
  /** The frame's ideal time, ms on the clock's time base. */
  timeMs: number;
  /** Frames skipped before this one. */
  skipped: number;
}

export class FrameClock {
  readonly intervalMs: number;
  private readonly startMs: number;
  private nextIndex = 0;
  framesDropped = 0;
  framesLate = 0;
  framesRendered = 0;

  constructor(fps: number, startMs: number) {
    this.intervalMs = 1000 / fps;
    this.startMs = startMs;
  }

  /** Call when the timer fires. Returns the frame to render now, or null when it is too early. */
  tick(nowMs: number): FrameTick | null {
    const due = Math.floor((nowMs - this.startMs) / this.intervalMs);
    if (due < this.nextIndex) return null;
    const skipped = due - this.nextIndex;
    const timeMs = this.startMs + due * this.intervalMs;
    if (nowMs - timeMs > this.intervalMs / 2) this.framesLate++;
    this.framesDropped += skipped;
    this.framesRendered++;
    this.nextIndex = due + 1;
    return { index: due, timeMs, skipped };
  }

  /** Milliseconds until the next frame is due. */
  delayUntilNext(nowMs: number): number {
    return Math.max(0, this.startMs + this.nextIndex * this.intervalMs - nowMs);
  }
}
