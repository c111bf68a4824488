// A pre-encoded H.264 clip whose every frame carries its frame number in the timing strip
// (strip.ts), played back in real time as EncodedPackets: the far end reads each decoded frame's
// number, so a test can count which frames were shown and how late, without an encoder running
// during the test (the two shared cores stay for the publisher and the receiver).
//
// stripClip() encodes once per parameter set (ffmpeg, libx264 veryfast zerolatency, constrained
// baseline, fixed GOP, VBV = the bitrate over 1 s, as src/main/encoder/args.ts does; AUDs inserted
// so access units split cleanly) and caches the file in .cache/strip-clips/. Below the strip:
// luma noise cycled from 8 precomputed pictures, so x264 spends its whole budget (the bitrate is
// the configured one, as a busy scene's would be).
// ClipPlayer emits one access unit per 1/fps on a drift-free schedule, pts = the wall clock (µs)
// when it is emitted (what the studio's capture clock gives), looping; frame k of the clip is
// seq k, and `captured` keeps seq → the time it was last emitted. With `opus`, a 20 ms (fake) Opus
// packet goes with every 20 ms of video time.
import { spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { EncodedPacket, H264Config } from '../../src/main/protocol/media';
import { FFMPEG } from '../peers/proc';
import { fakeOpus, h264ConfigFrom, splitAccessUnits, videoPacket, type AccessUnit } from '../unit/outputs/whip/media-source';
import { drawStrip, STRIP_ROWS, STRIP_WIDTH } from './strip';

export interface ClipOptions {
  width: number;
  height: number;
  fps: number;
  kbps: number;
  seconds: number;
  /** Frames per GOP (IDR interval). */
  gop: number;
  /** Noise half-amplitude around mid grey (default 20). */
  noiseAmp?: number;
}

const CACHE = join(__dirname, '../../.cache/strip-clips');

/** Path of the cached clip for `o`, encoding it first when missing. */
export async function stripClip(o: ClipOptions): Promise<string> {
  const amp = o.noiseAmp ?? 20;
  const file = join(CACHE, `strip-${o.width}x${o.height}-${o.fps}fps-${o.kbps}k-${o.seconds}s-g${o.gop}-n${amp}.h264`);
  if (existsSync(file)) return file;
  if (o.width < STRIP_WIDTH) throw new Error(`clip must be at least ${STRIP_WIDTH} px wide`);
  mkdirSync(CACHE, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const args = [
    '-hide_banner', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${o.width}x${o.height}`, '-r', String(o.fps), '-i', 'pipe:0',
    '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-profile:v', 'baseline', '-bf', '0',
    '-g', String(o.gop), '-keyint_min', String(o.gop), '-sc_threshold', '0',
    '-b:v', `${o.kbps}k`, '-maxrate', `${o.kbps}k`, '-bufsize', `${o.kbps}k`,
    '-bsf:v', 'h264_metadata=aud=insert', '-f', 'h264', '-y', tmp,
  ];
  const proc = spawn(FFMPEG, args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-2000)));
  const exited = new Promise<number>((resolve) => proc.on('close', (code) => resolve(code ?? -1)));
  const ySize = o.width * o.height;
  const pictures: Uint8Array[] = [];
  for (let k = 0; k < 8; k++) {
    const f = new Uint8Array((ySize * 3) / 2).fill(128);
    const noise = new Uint8Array(ySize - (STRIP_ROWS + 16) * o.width);
    randomFillSync(noise);
    for (let i = 0; i < noise.length; i++) noise[i] = 128 - amp + Math.floor((noise[i]! * (2 * amp + 1)) / 256);
    f.set(noise, (STRIP_ROWS + 16) * o.width);
    pictures.push(f);
  }
  const frames = o.seconds * o.fps;
  for (let seq = 0; seq < frames; seq++) {
    const f = pictures[seq % pictures.length]!;
    drawStrip(f, o.width, seq);
    if (!proc.stdin.write(Buffer.from(f))) await new Promise<void>((r) => proc.stdin.once('drain', () => r()));
  }
  proc.stdin.end();
  const code = await exited;
  if (code !== 0) throw new Error(`encoding the strip clip failed (${code}): ${stderr}`);
  renameSync(tmp, file);
  return file;
}

export interface LoadedClip {
  units: AccessUnit[];
  config: H264Config;
  fps: number;
}

export function loadClip(file: string, o: Pick<ClipOptions, 'width' | 'height' | 'fps'>): LoadedClip {
  const { units } = splitAccessUnits(new Uint8Array(readFileSync(file)), true);
  const first = units[0];
  if (!first?.keyframe) throw new Error(`${file}: does not start with a keyframe`);
  return { units, config: h264ConfigFrom(first.data, o.width, o.height, o.fps), fps: o.fps };
}

export class ClipPlayer {
  /** seq → wall-clock µs it was last emitted. */
  readonly captured = new Map<number, number>();
  emitted = 0;
  private fn: (p: EncodedPacket) => void = () => undefined;
  private timer: NodeJS.Timeout | undefined;
  private t0 = 0;
  private t0Us = 0;
  private audioSent = 0;

  constructor(private readonly clip: LoadedClip, private readonly opts: { opus?: boolean } = {}) {}

  onPacket(fn: (p: EncodedPacket) => void): void {
    this.fn = fn;
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
    const period = 1000 / this.clip.fps;
    const due = Math.floor((performance.now() - this.t0) / period);
    while (this.emitted <= due) {
      const seq = this.emitted % this.clip.units.length;
      const now = Math.round((performance.timeOrigin + performance.now()) * 1000);
      this.captured.set(seq, now);
      this.fn(videoPacket(this.clip.units[seq]!, now));
      this.emitted++;
      if (this.opts.opus) {
        while (this.audioSent * 20 <= this.emitted * period) {
          this.fn(fakeOpus(this.t0Us + this.audioSent * 20_000));
          this.audioSent++;
        }
      }
    }
    this.timer = setTimeout(() => this.tick(), Math.max(0, this.t0 + this.emitted * period - performance.now()));
  }
}
