// Feeds the encoder constant-rate video, as OBS does: on every tick of the output frame rate it
// pushes the newest frame from the renderer, or repeats the last one when none arrived (counted).
// ffmpeg interleaves its two raw pipes by their timestamps; with video that arrives slower than
// real time, its constant-rate timestamps fall behind and ffmpeg holds the audio back (measured:
// video at 5 fps let through 0.8 s of AAC per 5 s). Paced video never falls behind.
// A tick that fires late (the engine's event loop busy: a loaded machine, a large frame in from
// the renderer) has skipped slots: each gets the picture that was showing then, so a recording
// has no hole in its timestamps (measured before: 133-567 ms steps at load average 8). Then, if
// the frame it pushed was captured before the stall, repeats carry the timestamps on up to the
// tick's own slot: new frames are stamped with their capture time and repeats one interval after
// the last, so a pacer left behind real time made a hole at the next new frame (233 ms seen).
import { FrameClock } from '../../shared/frame-clock';

export interface PacedFrame {
  data: Uint8Array;
  captureTimeUs: number;
}

export interface PacerStats {
  /** Frames pushed that were new from the renderer. */
  fresh: number;
  /** Ticks that repeated the previous frame because the renderer had none. */
  repeated: number;
  /** Renderer frames replaced by a newer one before a tick took them. */
  superseded: number;
}

/** At most this many missed slots are filled after one late tick (1 s at 30 fps). */
const MAX_FILL = 30;

export class VideoPacer {
  private latest: PacedFrame | null = null;
  /** The picture pushed last (what a repeat shows). */
  private shown: Uint8Array | null = null;
  private fresh = false;
  private lastPts = -Infinity;
  private readonly clock: FrameClock;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  readonly stats: PacerStats = { fresh: 0, repeated: 0, superseded: 0 };

  constructor(
    private readonly fps: number,
    private readonly push: (frame: PacedFrame) => void,
    private readonly nowMs: () => number = () => performance.now(),
    /** A time of `nowMs`'s clock on the capture clock (wall µs, as the renderer stamps frames). */
    private readonly wallUs: (ms: number) => number = (ms) => (performance.timeOrigin + ms) * 1000,
  ) {
    this.clock = new FrameClock(fps, nowMs());
    this.schedule();
  }

  /** A frame from the renderer. */
  offer(frame: PacedFrame): void {
    if (this.fresh) this.stats.superseded++;
    this.latest = frame;
    this.fresh = true;
  }

  /**
   * One tick: returns what was pushed (exported for tests). `skipped` slots the clock missed
   * before this one are first filled with the picture that was showing, one interval apart, as
   * long as they stay before the new frame's capture time; after this slot's frame, repeats
   * bring the timestamps up to `slotUs` (this tick's time on the capture clock) if they lag it.
   */
  tick(skipped = 0, slotUs?: number): PacedFrame | null {
    const f = this.latest;
    if (!f) return null;
    const interval = 1e6 / this.fps;
    if (this.shown) {
      for (let k = Math.min(skipped, MAX_FILL); k >= 1; k--) {
        const pts = this.lastPts + interval;
        if (this.fresh && pts >= f.captureTimeUs) break;
        this.stats.repeated++;
        this.lastPts = pts;
        this.push({ data: this.shown, captureTimeUs: pts });
      }
    }
    const pts = this.fresh ? Math.max(f.captureTimeUs, this.lastPts + 1) : this.lastPts + interval;
    if (this.fresh) this.stats.fresh++;
    else this.stats.repeated++;
    this.fresh = false;
    this.lastPts = pts;
    this.shown = f.data;
    const out = { data: f.data, captureTimeUs: pts };
    this.push(out);
    if (slotUs !== undefined) {
      for (let n = 0; n < MAX_FILL && this.lastPts + interval <= slotUs; n++) {
        this.stats.repeated++;
        this.lastPts += interval;
        this.push({ data: f.data, captureTimeUs: this.lastPts });
      }
    }
    return out;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const t = this.clock.tick(this.nowMs());
      if (t) this.tick(t.skipped, this.wallUs(t.timeMs));
      this.schedule();
    }, this.clock.delayUntilNext(this.nowMs()));
  }
}
