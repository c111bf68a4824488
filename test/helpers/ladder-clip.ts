// An encode whose bitrate follows a target, for congestion-control tests without a live encoder:
// the same strip clip (strip-clip.ts: same frames, same fixed GOP) encoded once per rung of a
// bitrate ladder, played on one clock. Every frame goes to two sinks:
//   - `full`: always the top rung (the configured bitrate: what an RTMP destination on the same
//     session keeps);
//   - `adaptive`: the highest rung at or below the target, switched only at a keyframe (an encoder
//     group following a WHIP destination's congestion controller, which moves at keyframes), with a
//     20 ms fake Opus packet per 20 ms of video time.
// Frame k of the clip is seq k in both; `captured` keeps seq → the wall-clock µs it was emitted.
import type { EncodedPacket } from '../../src/main/protocol/media';
import { fakeOpus, videoPacket } from '../unit/outputs/whip/media-source';
import { loadClip, stripClip, type ClipOptions, type LoadedClip } from './strip-clip';
import type { RunSource } from './whip-chromium-run';

export interface Ladder {
  kbps: number[];
  clips: LoadedClip[];
}

/** Encodes (once, cached) and loads the clip at every rung, highest first. */
export async function loadLadder(base: Omit<ClipOptions, 'kbps'>, kbps: readonly number[]): Promise<Ladder> {
  const sorted = [...kbps].sort((a, b) => b - a);
  const clips: LoadedClip[] = [];
  for (const k of sorted) clips.push(loadClip(await stripClip({ ...base, kbps: k }), base));
  const n = clips[0]!.units.length;
  if (clips.some((c) => c.units.length !== n || c.units.some((u, i) => u.keyframe !== clips[0]!.units[i]!.keyframe))) throw new Error('ladder rungs do not share their frames and keyframes');
  return { kbps: sorted, clips };
}

export class LadderPlayer {
  readonly captured = new Map<number, number>();
  /** Every emission [seq, µs] (the clip loops). */
  readonly emissions: [number, number][] = [];
  emitted = 0;
  /** The rung the adaptive sink gets now (index into ladder.kbps) and the one asked for. */
  rung = 0;
  private want = 0;
  /** seconds of adaptive video per rung, for the report. */
  readonly framesPerRung: number[];
  private full: (p: EncodedPacket) => void = () => undefined;
  private adaptive: (p: EncodedPacket) => void = () => undefined;
  private timer: NodeJS.Timeout | undefined;
  private t0 = 0;
  private t0Us = 0;
  private audioSent = 0;

  constructor(private readonly ladder: Ladder) {
    this.framesPerRung = ladder.kbps.map(() => 0);
  }

  get config(): LoadedClip['config'] {
    return this.ladder.clips[0]!.config;
  }

  onFull(fn: (p: EncodedPacket) => void): void {
    this.full = fn;
  }

  /** As runWhipIntoChromium's source: the output's adaptive sink, its target picking the rung. */
  whipSource(): RunSource {
    return {
      config: this.config,
      captured: this.captured,
      emissions: this.emissions,
      start: (out) => {
        out.on('targetBitrate', (k) => this.setTarget(k));
        this.onAdaptive((p) => out.write(p));
        this.start();
      },
      stop: () => this.stop(),
    };
  }

  onAdaptive(fn: (p: EncodedPacket) => void): void {
    this.adaptive = fn;
  }

  /** The adaptive sink's target, kbit/s of video: the highest rung ≤ it (the lowest rung at worst). */
  setTarget(kbps: number): void {
    const i = this.ladder.kbps.findIndex((k) => k <= kbps);
    this.want = i < 0 ? this.ladder.kbps.length - 1 : i;
  }

  start(): void {
    this.t0 = performance.now();
    this.t0Us = Math.round((performance.timeOrigin + this.t0) * 1000);
    this.tick();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const fps = this.ladder.clips[0]!.fps;
    const period = 1000 / fps;
    const due = Math.floor((performance.now() - this.t0) / period);
    while (this.emitted <= due) {
      const seq = this.emitted % this.ladder.clips[0]!.units.length;
      const now = Math.round((performance.timeOrigin + performance.now()) * 1000);
      this.captured.set(seq, now);
      this.emissions.push([seq, now]);
      if (this.ladder.clips[0]!.units[seq]!.keyframe) this.rung = this.want;
      this.full(videoPacket(this.ladder.clips[0]!.units[seq]!, now));
      this.adaptive(videoPacket(this.ladder.clips[this.rung]!.units[seq]!, now));
      this.framesPerRung[this.rung]!++;
      this.emitted++;
      while (this.audioSent * 20 <= this.emitted * period) {
        this.adaptive(fakeOpus(this.t0Us + this.audioSent * 20_000));
        this.audioSent++;
      }
    }
    this.timer = setTimeout(() => this.tick(), Math.max(0, this.t0 + this.emitted * period - performance.now()));
  }
}
