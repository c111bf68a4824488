// Capture-clock timestamps for encoded packets. Pure.
//
// Elementary streams (Annex B, ADTS) carry no timestamps, so we derive them:
// - Pushed raw frames (the renderer path): every frame's captureTimeUs goes into a FIFO; x264 with
//   -bf 0 / zerolatency and `-fps_mode passthrough` emits exactly one access unit per input frame,
//   in order, so the n-th AU takes the n-th capture time. Dropped frames upstream cost nothing.
// - ffmpeg-native sources (testsrc, file, device): the filter graph ends in a constant frame rate
//   (fps filter / lavfi rate), so AU n has source time n/fps. We anchor source time 0 to the wall
//   clock at spawn: pts = anchorUs + n·1e6/fps. The wall clock at which a frame leaves ffmpeg is
//   NOT used (it carries pipe and scheduling jitter); it only feeds the `lagUs` diagnostic.
// - Audio: packet k of a codec with frame size F and encoder delay D (AAC: 1024 priming samples,
//   Opus: OpusHead pre-skip) starts at input sample k·F − D (Opus: the running sum of TOC durations);
//   the sample index maps to capture time through the (sampleIndex, captureTimeUs) anchors recorded
//   for each pushed PCM block, or the spawn anchor for native sources.
// Every clock is forced strictly monotonic (+1 µs over the previous value) so outputs never see
// a timestamp going backwards, e.g. after a capture-clock jump.

/** Microseconds on the wall clock, sub-millisecond resolution, monotonic within a process. */
export function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

export class MonotonicGuard {
  private last = -Infinity;
  /** Times the input went backwards or repeated and was nudged. */
  corrections = 0;
  next(us: number): number {
    const t = Math.round(us);
    if (t <= this.last) {
      this.corrections++;
      this.last += 1;
      return this.last;
    }
    this.last = t;
    return t;
  }
}

/** Video timestamps: a FIFO of capture times (pushed frames) or a CFR count from an anchor. */
export class VideoClock {
  private readonly fifo: number[] = [];
  private head = 0;
  private count = 0;
  private readonly guard = new MonotonicGuard();

  constructor(
    private readonly fps: number,
    private anchorUs: number | undefined = undefined,
  ) {}

  setAnchor(us: number): void {
    this.anchorUs = us;
  }

  /** Pushed-frame mode: remember the capture time of a frame handed to the encoder. */
  frameIn(captureTimeUs: number): void {
    this.fifo.push(captureTimeUs);
  }

  get pendingFrames(): number {
    return this.fifo.length - this.head;
  }

  /** Timestamp for the next access unit out of the encoder. */
  frameOut(): number {
    const n = this.count++;
    let t: number;
    if (this.head < this.fifo.length) {
      t = this.fifo[this.head++]!;
      if (this.head > 256 && this.head * 2 > this.fifo.length) {
        this.fifo.splice(0, this.head);
        this.head = 0;
      }
    } else {
      t = (this.anchorUs ?? 0) + (n * 1e6) / this.fps;
    }
    return this.guard.next(t);
  }

  get corrections(): number {
    return this.guard.corrections;
  }
}

interface Anchor {
  sample: number;
  us: number;
}

/** Audio timestamps from sample counts, mapped through capture-time anchors. */
export class AudioClock {
  private anchors: Anchor[] = [];
  private samplesIn = 0;
  private readonly guards = new Map<string, MonotonicGuard>();

  constructor(readonly sampleRate: number) {}

  /** Native sources: sample 0 of the source is at `us`. */
  setAnchor(us: number): void {
    this.anchors = [{ sample: 0, us }];
  }

  /** Pushed-PCM mode: `frames` samples per channel whose first one was captured at `captureTimeUs`. */
  pcmIn(frames: number, captureTimeUs: number): void {
    this.anchors.push({ sample: this.samplesIn, us: captureTimeUs });
    this.samplesIn += frames;
    if (this.anchors.length > 4096) this.anchors.splice(0, 2048);
  }

  /** Capture time of input sample `index` (may be negative: encoder priming before sample 0). */
  timeOfSample(index: number): number {
    let a = this.anchors[0];
    // Anchors are in sample order; search from the end (packets are recent).
    for (let i = this.anchors.length - 1; i >= 0; i--) {
      const c = this.anchors[i]!;
      if (c.sample <= index) {
        a = c;
        break;
      }
    }
    if (!a) return (index * 1e6) / this.sampleRate;
    return a.us + ((index - a.sample) * 1e6) / this.sampleRate;
  }

  /** pts of a packet of `track` whose first output sample is input sample `index`; monotonic per track. */
  packetTime(track: string, index: number): number {
    let g = this.guards.get(track);
    if (!g) {
      g = new MonotonicGuard();
      this.guards.set(track, g);
    }
    return g.next(this.timeOfSample(index));
  }
}
