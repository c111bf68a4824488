// Reads decoded pictures and audio levels out of a media file with ffmpeg, for assertions on
// what a viewer would see and hear.
import { spawnSync } from 'node:child_process';

export function rgbFrameAt(file: string, atSec: number, width: number, height: number): Uint8Array {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-ss', String(atSec), '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 64 << 20 });
  if (r.status !== 0 || r.stdout.length !== width * height * 3) throw new Error(`could not decode a ${width}x${height} frame at ${atSec}s: ${r.stderr.toString().slice(-500)}`);
  return new Uint8Array(r.stdout);
}

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  pixels: number;
}

/** Bounding box of the pixels matching `pred`. */
export function boxOf(rgb: Uint8Array, width: number, height: number, pred: (r: number, g: number, b: number) => boolean): Box | null {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  let pixels = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      if (pred(rgb[i] ?? 0, rgb[i + 1] ?? 0, rgb[i + 2] ?? 0)) {
        pixels++;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return pixels ? { x0, y0, x1: x1 + 1, y1: y1 + 1, pixels } : null;
}

/** Mean and max volume of the first audio stream, dBFS (ffmpeg volumedetect). */
export function audioLevels(file: string): { meanDb: number; maxDb: number } {
  const r = spawnSync('ffmpeg', ['-v', 'info', '-i', file, '-vn', '-af', 'volumedetect', '-f', 'null', '-'], { encoding: 'utf8' });
  const mean = /mean_volume: (-?[\d.]+|-inf) dB/.exec(r.stderr)?.[1];
  const max = /max_volume: (-?[\d.]+|-inf) dB/.exec(r.stderr)?.[1];
  const num = (s: string | undefined) => (s === undefined || s === '-inf' ? -Infinity : Number(s));
  return { meanDb: num(mean), maxDb: num(max) };
}

/** RMS level of the first audio stream (mixed to mono) in windows of `windowSec`, dBFS (-Infinity for digital silence). */
export function audioWindowsDb(file: string, windowSec = 0.1): number[] {
  const rate = 48000;
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-vn', '-ac', '1', '-ar', String(rate), '-f', 'f32le', '-'], { maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`could not decode the audio of ${file}: ${r.stderr.toString().slice(-500)}`);
  const buf: Buffer = r.stdout;
  const samples = new Float32Array(buf.buffer, buf.byteOffset, Math.floor(buf.byteLength / 4));
  const n = Math.round(rate * windowSec);
  const out: number[] = [];
  for (let i = 0; i + n <= samples.length; i += n) {
    let sum = 0;
    for (let k = i; k < i + n; k++) sum += (samples[k] ?? 0) ** 2;
    out.push(10 * Math.log10(sum / n));
  }
  return out;
}

/** Every decoded picture of the first video stream, scaled down to width x height (RGB), in order. */
export function smallFrames(file: string, width = 32, height = 18): Uint8Array[] {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-an', '-vf', `scale=${width}:${height}`, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`could not decode ${file}: ${r.stderr.toString().slice(-500)}`);
  const size = width * height * 3;
  const out: Uint8Array[] = [];
  for (let i = 0; i + size <= r.stdout.length; i += size) out.push(new Uint8Array(r.stdout.subarray(i, i + size)));
  return out;
}
