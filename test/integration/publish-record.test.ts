// `tandem publish` end to end: the real CLI (through tsx), the real ffmpeg, files checked by ffprobe.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChildProc, runCapture } from '../../src/main/encoder/process';

const ROOT = resolve(__dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'tandem-publish-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The publisher has started writing `file` (tsx compiling the CLI takes 2 s on an idle machine
 * and 6 s or more on a loaded one, so a fixed delay from spawn measures the compiler, not us).
 */
async function recordingStarted(file: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (existsSync(file) && statSync(file).size > 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${file} was not written within ${timeoutMs} ms`);
}

function tandem(args: string[]): ChildProc {
  return new ChildProc(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main/cli/index.ts'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

interface Stream {
  codec_name: string;
  width?: number;
  height?: number;
  avg_frame_rate: string;
  nb_read_frames: string;
}

async function probe(path: string): Promise<{ streams: Stream[]; duration: number }> {
  const r = await runCapture('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_name,width,height,avg_frame_rate,nb_read_frames:format=duration', '-of', 'json', path], 60_000);
  expect(r.code, r.stderr).toBe(0);
  const j = JSON.parse(r.stdout) as { streams: Stream[]; format: { duration: string } };
  return { streams: j.streams, duration: Number(j.format.duration) };
}

const fps = (rate: string): number => {
  const [n, d] = rate.split('/').map(Number);
  return (n ?? 0) / (d || 1);
};

describe('tandem publish --record', () => {
  it('testsrc for 10 s → .mkv with 1280x720 H.264 at ~30 fps (≥295 frames) and AAC, exit 0, stats lines', async () => {
    const out = join(dir, 'out.mkv');
    const stats = join(dir, 'stats.jsonl');
    const p = tandem(['publish', '--source', 'testsrc', '--duration', '10', '--record', out, '--stats', stats]);
    const exit = await p.exited;
    expect(exit.code, p.stderr).toBe(0);
    const { streams } = await probe(out);
    const v = streams.find((s) => s.codec_name === 'h264');
    expect(v).toMatchObject({ width: 1280, height: 720 });
    expect(Number(v!.nb_read_frames)).toBeGreaterThanOrEqual(295);
    expect(fps(v!.avg_frame_rate)).toBeGreaterThan(29);
    expect(fps(v!.avg_frame_rate)).toBeLessThan(31);
    const a = streams.find((s) => s.codec_name === 'aac');
    expect(Number(a?.nb_read_frames)).toBeGreaterThan(400); // 10 s of 1024-sample frames at 48 kHz ≈ 469
    const lines = readFileSync(stats, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThanOrEqual(8);
    expect(lines.at(-1)).toMatchObject({ id: 'record', protocol: 'record', state: 'live', framesDropped: 0, reconnects: 0 });
    expect(lines.at(-1)).toHaveProperty('bitrateKbps');
    expect(lines.at(-1)).toHaveProperty('queueMs');
  });

  it('.mp4 stays readable up to the moment the publisher is killed with SIGKILL 4 s into the recording', async () => {
    const out = join(dir, 'killed.mp4');
    const p = tandem(['publish', '--source', 'testsrc', '--record', out]);
    await recordingStarted(out);
    await new Promise((r) => setTimeout(r, 4000));
    p.signal('SIGKILL');
    await p.exited;
    // The orphaned ffmpegs see their pipes close and finish on their own.
    await new Promise((r) => setTimeout(r, 2000));
    const { streams, duration } = await probe(out);
    const v = streams.find((s) => s.codec_name === 'h264');
    expect(v).toMatchObject({ width: 1280, height: 720 });
    expect(Number(v!.nb_read_frames)).toBeGreaterThanOrEqual(60); // ≥ 2 s of the ~4 s encoded
    expect(duration).toBeGreaterThan(2);
    expect(duration).toBeLessThan(5.5);
    const ps = await runCapture('ps', ['-eo', 'args']);
    expect(ps.stdout).not.toContain(out); // no recorder left behind
  });

  it('SIGINT stops cleanly: exit 0 without --duration, file finalised', async () => {
    const out = join(dir, 'int.mkv');
    const p = tandem(['publish', '--source', 'testsrc', '--record', out]);
    await recordingStarted(out);
    await new Promise((r) => setTimeout(r, 3000));
    p.signal('SIGINT');
    const exit = await p.exited;
    expect(exit.code, p.stderr).toBe(0);
    const { streams } = await probe(out);
    expect(Number(streams.find((s) => s.codec_name === 'h264')?.nb_read_frames)).toBeGreaterThan(30);
  });

  it('unavailable or bad destinations fail with one redacted line each, no stack trace', async () => {
    const p = tandem(['publish', '--rtmp', 'rtmp://127.0.0.1:1/live/supersecretkey', '--record', join(dir, 'x.mkv'), '--duration', '1']);
    const exit = await p.exited;
    expect(exit.code).not.toBe(0);
    expect(p.stderr).not.toContain('supersecretkey');
    expect(p.stderr).not.toMatch(/\n\s+at /);
    expect(p.stderr).toContain('rtmp://127.0.0.1:1/live/****');
  });
});
