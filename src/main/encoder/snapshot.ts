// One still image from a picture the engine holds, by ffmpeg: an I420 frame (the ffmpeg video
// path) or an H.264 group of pictures in Annex B (the WebCodecs path: keyframe first), scaled to
// the size asked for and encoded as PNG or JPEG. Used for obs-websocket's GetSourceScreenshot
// (studio/program-picture.ts). snapshotArgs is pure; runSnapshot spawns through ChildProc.
import { ChildProc } from './process';
import { TandemError } from '../../shared/errors';

export type SnapshotInput = { kind: 'i420'; width: number; height: number } | { kind: 'h264'; frames: number };

export interface SnapshotOutput {
  format: 'png' | 'jpeg';
  /** Either or both; one alone keeps the aspect ratio; neither keeps the picture's size. */
  width?: number;
  height?: number;
  /** -1 (default) or 0…100: JPEG quality (PNG is lossless and ignores it). */
  quality: number;
}

/** JPEG quality 0…100 onto ffmpeg's mjpeg qscale 31…2 (lower is better); -1 → 90 %. */
export function jpegQscale(quality: number): number {
  const q = quality < 0 ? 90 : Math.min(100, quality);
  return Math.round(31 - (q / 100) * 29);
}

export function snapshotArgs(input: SnapshotInput, out: SnapshotOutput): string[] {
  const inArgs =
    input.kind === 'i420'
      ? ['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${input.width}x${input.height}`, '-i', 'pipe:0']
      : ['-f', 'h264', '-i', 'pipe:0'];
  const filters: string[] = [];
  // A GOP decodes to one picture per access unit (no B-frames): keep the last, the newest.
  if (input.kind === 'h264' && input.frames > 1) filters.push(`select=gte(n\\,${input.frames - 1})`);
  if (out.width !== undefined || out.height !== undefined) filters.push(`scale=${out.width ?? -1}:${out.height ?? -1}:flags=bicubic`);
  const enc = out.format === 'png' ? ['-pix_fmt', 'rgb24', '-c:v', 'png'] : ['-pix_fmt', 'yuvj420p', '-c:v', 'mjpeg', '-q:v', String(jpegQscale(out.quality))];
  return ['-hide_banner', '-nostdin', '-loglevel', 'error', ...inArgs, ...(filters.length ? ['-vf', filters.join(',')] : []), '-frames:v', '1', '-fps_mode', 'passthrough', ...enc, '-f', 'image2pipe', 'pipe:1'];
}

/** Runs ffmpeg with `stdin` as its input; resolves with the image bytes. */
export async function runSnapshot(ffmpegPath: string, args: readonly string[], stdin: Uint8Array, timeoutMs = 10_000, maxBytes = 64 << 20): Promise<Uint8Array> {
  const p = new ChildProc(ffmpegPath, args, { stdio: ['pipe', 'pipe', 'pipe'], stderrLines: 8 });
  const chunks: Buffer[] = [];
  let bytes = 0;
  const out = p.readable(1);
  out?.on('data', (c: Buffer) => {
    bytes += c.length;
    if (bytes > maxBytes) p.close();
    else chunks.push(c);
  });
  const timer = setTimeout(() => p.close(), timeoutMs);
  try {
    const w = p.writable(0);
    w?.end(stdin);
    const exit = await p.exited;
    if (exit.code !== 0 || bytes === 0 || bytes > maxBytes) {
      const why = p.error?.message ?? (exit.code === null ? `stopped (${exit.signal ?? 'timeout'})` : `exit ${exit.code}`);
      throw new TandemError('encoder-failed', `the screenshot could not be made (ffmpeg: ${why}${p.stderr ? `: ${p.stderr.split('\n').pop() ?? ''}` : ''})`);
    }
    return Buffer.concat(chunks);
  } finally {
    clearTimeout(timer);
    p.close();
  }
}
