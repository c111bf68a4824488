// Encoder benchmark, two parts:
// 1. x264 veryfast (zerolatency, no B-frames, 2 s GOP) through our Encoder class, testsrc2 unpaced
//    (-re off), 720p30 and 1080p30, AAC on: encoded frames/s and CPU seconds (user+sys of the
//    ffmpeg child, from /proc/self/stat cutime+cstime after it is reaped) per encoded second.
// 2. The studio's video paths, WebCodecs vs libx264 (encoder-paths.ts): capture → encoded packet at
//    the engine, p50/p95, 720p30 and 1080p30.
// Medians of RUNS runs. Run: npx tsx bench/encoder.ts   (env RUNS=3 SECONDS=5 PATH_RUNS=3
// PATH_SECONDS=15 SKIP_BUILD=1)
import { cpus, loadavg } from 'node:os';
import { Encoder } from '../src/main/encoder/encoder';
import { resolveFfmpeg } from '../src/main/encoder/ffmpeg-path';
import { reapedChildrenCpuSec as childCpuSec } from './_lib/cpu';
import { median } from './_lib/stats';
import { writeResults, mdTable } from './_lib/report';
import { buildAppUnlessSkipped } from './_lib/build';
import { benchStudioPaths } from './encoder-paths';

const RUNS = Number(process.env.RUNS ?? 3);
const SECONDS = Number(process.env.SECONDS ?? 5);
const FPS = 30;
const PATH_RUNS = Number(process.env.PATH_RUNS ?? 3);
const PATH_SECONDS = Number(process.env.PATH_SECONDS ?? 15);

async function run(ffmpegPath: string, width: number, height: number): Promise<{ fps: number; cpuPerSec: number; frames: number }> {
  const enc = new Encoder({ ffmpegPath, source: { kind: 'testsrc' }, width, height, fps: FPS, durationSec: SECONDS, realtime: false, videoBitrateKbps: width >= 1920 ? 4500 : 2500 });
  let frames = 0;
  enc.on('packet', (p) => {
    if (p.track === 'video') frames++;
  });
  const cpu0 = childCpuSec();
  const t0 = performance.now();
  const done = new Promise<string>((r) => enc.on('exit', (reason) => r(reason)));
  enc.start();
  const reason = await done;
  const wall = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 50));
  const cpu = childCpuSec() - cpu0;
  enc.close();
  if (reason !== 'ended') throw new Error(`encoder ${reason}`);
  return { fps: frames / wall, cpuPerSec: cpu / (frames / FPS), frames };
}

async function main(): Promise<void> {
  if (process.platform !== 'linux') throw new Error('this benchmark reads /proc (Linux only)');
  const ff = await resolveFfmpeg();
  const loadBefore = loadavg()[0]!.toFixed(2);
  const results = [];
  for (const [name, w, h] of [['720p30', 1280, 720], ['1080p30', 1920, 1080]] as const) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await run(ff.path, w, h));
    const r = { name, width: w, height: h, runs, medianFps: median(runs.map((x) => x.fps)), medianCpuPerEncodedSec: median(runs.map((x) => x.cpuPerSec)) };
    console.log(`${name}: ${r.medianFps.toFixed(1)} frames/s, ${r.medianCpuPerEncodedSec.toFixed(3)} CPU-s per encoded s (${RUNS} runs of ${SECONDS} s)`);
    results.push(r);
  }
  buildAppUnlessSkipped();
  const paths = await benchStudioPaths(PATH_RUNS, PATH_SECONDS);
  const env = { date: new Date().toISOString(), ffmpeg: `${ff.path} ${ff.version}`, cpu: cpus()[0]?.model ?? '?', cores: cpus().length, node: process.version, runs: RUNS, secondsPerRun: SECONDS, loadAvg1mBefore: loadBefore, loadAvg1mAfter: loadavg()[0]!.toFixed(2) };
  const rows = results.map((r) => `| ${r.name} | ${r.medianFps.toFixed(1)} | ${(r.medianFps / FPS).toFixed(2)}× | ${r.medianCpuPerEncodedSec.toFixed(3)} | ${r.runs.map((x) => x.fps.toFixed(1)).join(', ')} |`);
  writeResults(
    'encoder',
    { env, results, studioPaths: { runs: PATH_RUNS, secondsPerRun: PATH_SECONDS, results: paths } },
    `# Encoder benchmark (bench/encoder.ts)

x264 \`veryfast\`, \`-tune zerolatency -bf 0\`, GOP 2 s, AAC 128k on, source testsrc2 unpaced (its
generation cost is included), one ffmpeg through our Encoder (framing + timestamps in Node).
CPU = user+sys of the ffmpeg child per second of encoded media (1.0 = one core busy in real time).
Medians of ${RUNS} runs of ${SECONDS} s of media. The machine is shared with other work (1-min load
average ${env.loadAvg1mBefore} before, ${env.loadAvg1mAfter} after, on ${env.cores} cores): frames/s is bounded by what the
scheduler gave us; CPU-s per encoded s is the steadier figure.

- ${env.date}, ${env.cpu}, ${env.cores} cores, Node ${env.node}
- ffmpeg: ${env.ffmpeg}

| size | frames/s | × real time | CPU-s per encoded s | runs (frames/s) |
|---|---|---|---|---|
${rows.join('\n')}

## The studio's video paths: capture → encoded packet at the engine

The studio in browser mode (the build's \`tandem serve\`), Chromium with a fake camera filling the
canvas, recording for ${PATH_SECONDS} s per run; ${PATH_RUNS} runs per cell, the two paths interleaved.
The figures are the encoder group's own p50/p95 over its last 256 frames: each packet's capture
time (the compositor's frame, wall clock) against its arrival at the engine.
- **webcodecs**: \`VideoEncoder\` in the renderer (here Chromium's software OpenH264 on a
  SwiftShader canvas: this machine has no GPU), AVCC chunks over the media WebSocket.
- **libx264**: raw I420 frames over the media WebSocket, ffmpeg libx264 \`veryfast\` zerolatency
  in the engine.

Target (issue #11): WebCodecs p50 ≤ 20 ms at 720p30.

${mdTable(['size', 'path', 'p50 ms', 'p95 ms', 'encoded frames/s', 'runs (p50 / p95)'], paths.map((p) => [p.size, p.path, String(p.p50), String(p.p95), p.fps.toFixed(1), p.runs.map((r) => `${r.p50} / ${r.p95}`).join(', ')]))}
`,
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
