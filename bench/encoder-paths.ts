// The studio's two video paths (issue #11 "Benchmarks"): capture → encoded packet at the engine,
// p50/p95, WebCodecs in the renderer against libx264 in the engine (raw I420 frames over the
// media WebSocket), at 720p30 and 1080p30. The studio runs in browser mode from the build, in
// Chromium with a fake camera, recording (so the encoder runs) for SECONDS per run; the figures
// are the encoder group's own (EncoderGroupStats encodeMsP50/P95: the packet's capture time on
// the wall clock against its arrival at the engine, the same measure for both paths), read at the
// end of each run. Used by bench/encoder.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStudio } from '../test/helpers/studio-process';
import { addCamera, box } from '../test/helpers/studio-scene';
import type { Settings } from '../src/shared/api';
import { median, sleep } from './_lib/stats';

export type VideoPathName = 'webcodecs' | 'libx264';

export interface PathRun {
  p50: number;
  p95: number;
  frames: number;
  /** Encoded frames per second over the run. */
  fps: number;
  path: string;
}

export interface PathResult {
  size: string;
  path: VideoPathName;
  runs: PathRun[];
  p50: number;
  p95: number;
  fps: number;
}

async function runOnce(path: VideoPathName, width: number, height: number, seconds: number): Promise<PathRun> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tandem-bench-enc-'));
  const open = await openStudio({ width: 1280, height: 720 }, dataDir);
  try {
    const { api } = open;
    const settings: Partial<Settings> = { encoder: path, width, height, fps: 30, videoBitrateKbps: width >= 1920 ? 4500 : 2500 };
    await api.updateSettings(settings);
    await addCamera(api, box(0, 0, width, height));
    await sleep(2000); // the compositor at the new size, the camera playing
    await api.startRecording({ path: join(dataDir, 'bench.mkv') });
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const g = (await api.getEngineStats()).groups[0];
    const wall = (performance.now() - t0) / 1000;
    await api.stopRecording();
    if (!g || g.encodeMsP50 === undefined || g.encodeMsP95 === undefined) throw new Error(`${path} ${width}x${height}: the encoder group reported no frames`);
    return { p50: g.encodeMsP50, p95: g.encodeMsP95, frames: g.frames, fps: g.frames / wall, path: g.path };
  } finally {
    await open.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Each size × path, `runs` times, interleaved (A B A B…) so a load change hits both paths alike. */
export async function benchStudioPaths(runs: number, seconds: number): Promise<PathResult[]> {
  const out: PathResult[] = [];
  for (const [size, w, h] of [['720p30', 1280, 720], ['1080p30', 1920, 1080]] as const) {
    const byPath: Record<VideoPathName, PathRun[]> = { webcodecs: [], libx264: [] };
    for (let i = 0; i < runs; i++) {
      for (const path of ['webcodecs', 'libx264'] as const) {
        const r = await runOnce(path, w, h, seconds);
        console.log(`${size} ${path} (ran as ${r.path}): capture → packet p50 ${r.p50} ms, p95 ${r.p95} ms, ${r.fps.toFixed(1)} frames/s`);
        byPath[path].push(r);
      }
    }
    for (const path of ['webcodecs', 'libx264'] as const) {
      const rs = byPath[path];
      out.push({ size, path, runs: rs, p50: median(rs.map((r) => r.p50)), p95: median(rs.map((r) => r.p95)), fps: median(rs.map((r) => r.fps)) });
    }
  }
  return out;
}
