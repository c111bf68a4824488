// Encoder benchmark: x264 veryfast (zerolatency, no B-frames, 2 s GOP) through our Encoder class,
// testsrc2 unpaced (-re off), 720p30 and 1080p30, AAC on. Reports encoded frames/s and CPU seconds
// (user+sys of the ffmpeg child, from /proc/self/stat cutime+cstime after it is reaped) per encoded
// second of media. Medians of RUNS runs. Run: npx tsx bench/encoder.ts
import { cpus, loadavg } from 'node:os';
import { Encoder } from '../src/main/encoder/encoder';
import { resolveFfmpeg } from '../src/main/encoder/ffmpeg-path';
import { reapedChildrenCpuSec as childCpuSec } from './_lib/cpu';
import { median } from './_lib/stats';
import { writeResults } from './_lib/report';

const RUNS = Number(process.env.RUNS ?? 3);
const SECONDS = Number(process.env.SECONDS ?? 5);
const FPS = 30;

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
  const env = { date: new Date().toISOString(), ffmpeg: `${ff.path} ${ff.version}`, cpu: cpus()[0]?.model ?? '?', cores: cpus().length, node: process.version, runs: RUNS, secondsPerRun: SECONDS, loadAvg1mBefore: loadBefore, loadAvg1mAfter: loadavg()[0]!.toFixed(2) };
  const rows = results.map((r) => `| ${r.name} | ${r.medianFps.toFixed(1)} | ${(r.medianFps / FPS).toFixed(2)}× | ${r.medianCpuPerEncodedSec.toFixed(3)} | ${r.runs.map((x) => x.fps.toFixed(1)).join(', ')} |`);
  writeResults(
    'encoder',
    { env, results },
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
`,
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
