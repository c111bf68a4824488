// The test source: raw I420 frames with the timing strip (strip.ts) and PCM, pushed into the
// project's Encoder in raw mode (Encoder.pushVideoFrame / pushAudio, the renderer's path) on a
// drift-free 30 fps schedule. The capture time of frame `seq` is the wall clock (µs,
// performance.timeOrigin + now(), the Encoder's own clock) at the moment it is pushed; the source
// remembers it so a far-end reader that decodes `seq` from the pixels can compute its latency.
//
// Content below the strip is luma noise cycled from a few precomputed frames (each differs from the
// previous one entirely, so x264 spends its whole rate budget: the encoded rate sits at the
// configured bitrate, 2.5 or 6 Mbit/s, as a busy real scene's would). `noiseAmp` is the noise
// half-amplitude around mid grey. Audio is a quiet 440 Hz tone, 48 kHz stereo, one block per frame.
import { randomFillSync } from 'node:crypto';
import { Encoder } from '../../src/main/encoder/encoder';
import { nowUs } from '../../src/main/encoder/timestamps';
import { drawStrip, STRIP_ROWS, STRIP_WIDTH, SEQ_MASK } from '../../test/helpers/strip';

export interface SourceOptions {
  ffmpegPath: string;
  width: number;
  height: number;
  fps: number;
  videoBitrateKbps: number;
  noiseAmp: number;
}

export class StripSource {
  readonly encoder: Encoder;
  /** seq → capture time, µs (wall clock). */
  readonly captured = new Map<number, number>();
  framesPushed = 0;
  /** Slots not pushed after a stall of the event loop of more than 1 s. */
  framesSkipped = 0;
  private readonly frames: Uint8Array[] = [];
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  private t0 = 0;
  private phase = 0;
  private running = false;

  constructor(private readonly o: SourceOptions) {
    if (o.width < STRIP_WIDTH) throw new Error(`frames must be at least ${STRIP_WIDTH} px wide`);
    this.encoder = new Encoder({
      ffmpegPath: o.ffmpegPath, source: { kind: 'raw' }, width: o.width, height: o.height, fps: o.fps,
      videoBitrateKbps: o.videoBitrateKbps, audioBitrateKbps: 96, keyintSec: 2, preset: 'veryfast', profile: 'baseline', // as `tandem publish` and the studio do when a WHIP destination is present
      aac: true, opus: true, channels: 2,
    });
    const ySize = o.width * o.height;
    for (let k = 0; k < 8; k++) {
      const f = new Uint8Array((ySize * 3) / 2);
      f.fill(128);
      const noise = new Uint8Array(ySize - (STRIP_ROWS + 16) * o.width);
      randomFillSync(noise);
      const a = o.noiseAmp;
      for (let i = 0; i < noise.length; i++) noise[i] = 128 - a + Math.floor((noise[i]! * (2 * a + 1)) / 256);
      f.set(noise, (STRIP_ROWS + 16) * o.width);
      this.frames.push(f);
    }
  }

  start(): void {
    this.encoder.start();
    this.running = true;
    this.t0 = performance.now();
    this.tick();
  }

  /** Stop pushing; the encoder keeps running until stopEncoder(). */
  pause(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  async stop(): Promise<void> {
    this.pause();
    await this.encoder.stop(2000).catch(() => undefined);
    this.encoder.close();
  }

  private tick(): void {
    if (!this.running) return;
    const periodMs = 1000 / this.o.fps;
    const n = Math.floor((performance.now() - this.t0) / periodMs);
    // Exactly one frame per slot, as the studio's VideoPacer does: ffmpeg stamps raw video at a
    // constant rate and interleaves it with the wall-clock-stamped audio, so a skipped slot would
    // put video behind and make ffmpeg hold the audio back. A late tick catches up (each frame
    // gets the time it was actually made as its capture time); after a stall of more than 1 s
    // the missed slots are counted as skipped and the schedule restarts.
    if (n - this.phase > this.o.fps) {
      this.framesSkipped += n - this.phase;
      this.t0 = performance.now();
      this.phase = 0;
    }
    while (this.phase <= Math.floor((performance.now() - this.t0) / periodMs)) {
      this.pushOne();
      this.phase++;
    }
    const next = this.t0 + this.phase * periodMs;
    this.timer = setTimeout(() => this.tick(), Math.max(0, next - performance.now()));
  }

  private pushOne(): void {
    const enc = this.encoder;
    const seq = this.seq++ & SEQ_MASK;
    const f = this.frames[seq % this.frames.length]!;
    drawStrip(f, this.o.width, seq);
    const t = nowUs();
    this.captured.set(seq, t);
    enc.pushVideoFrame(f, t);
    const samples = Math.round(48000 / this.o.fps);
    const pcm = new Int16Array(samples * 2);
    for (let i = 0; i < samples; i++) {
      const v = Math.round(1638 * Math.sin((2 * Math.PI * 440 * (seq * samples + i)) / 48000));
      pcm[2 * i] = v;
      pcm[2 * i + 1] = v;
    }
    enc.pushAudio(pcm, t);
    this.framesPushed++;
  }
}
