// RTMP publisher benchmark (issue #4): the SAME prepared H.264 + AAC packet stream pushed unpaced
// (as fast as the socket drains) to one local nginx-rtmp, by (a) Tandem's RtmpOutput in this
// process and (b) `ffmpeg -i prepared.flv -c copy -f flv rtmp://…` (no -re). Reports Mbit/s and
// CPU-seconds per GB for each, medians over RUNS alternating runs, and the ratios Tandem/ffmpeg.
// Every run is checked against nginx's access log (bytes received on that connection).
// Run: npx tsx bench/rtmp.ts   (env: RUNS=5 CLIP_SEC=30 LOOPS=10 KBPS=2500)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveFfmpeg } from '../src/main/encoder/ffmpeg-path';
import { RtmpOutput } from '../src/main/outputs/rtmp/rtmp-output';
import { startNginxRtmp, type NginxRtmp } from '../test/peers/nginx';
import { procRuntimeSec, reapedChildrenCpuSec, selfCpuSec } from './_lib/cpu';
import { looped, prepareStream, writeFlv, type PreparedStream } from './_lib/media';
import { machineInfo, machineLine, mdTable, writeResults } from './_lib/report';
import { fmt, median, sleep } from './_lib/stats';
import { packetSize, type EncodedPacket } from '../src/main/protocol/media';

const RUNS = Number(process.env['RUNS'] ?? 5);
const CLIP_SEC = Number(process.env['CLIP_SEC'] ?? 30);
const LOOPS = Number(process.env['LOOPS'] ?? 10);
const KBPS = Number(process.env['KBPS'] ?? 2500);

type Tool = 'tandem' | 'ffmpeg';
interface Run {
  tool: Tool;
  order: number;
  wallSec: number;
  /** Publisher CPU (user+sys), s. */
  cpuSec: number;
  /** nginx (the receiver, one process) CPU from before the push until it logged the disconnect, s. */
  nginxCpuSec: number;
  /** Bytes nginx received on the publishing connection (its access log). */
  bytesReceived: number;
  /** Tandem only: bytes our RTMP session wrote. */
  bytesSent?: number;
  mbps: number;
  cpuSecPerGB: number;
  nginxCpuSecPerGB: number;
}

interface Summary {
  mbps: number;
  cpuSecPerGB: number;
  cpuSec: number;
  wallSec: number;
  nginxCpuSecPerGB: number;
}

/** Tandem ÷ ffmpeg: of the medians, and the median of the per-pair ratios (pair*). */
interface Ratios {
  mbps: number;
  cpuSecPerGB: number;
  nginxCpuSecPerGB: number;
  pairCpuSecPerGB: number;
  pairNginxCpuSecPerGB: number;
  /** Tandem's median ÷ ffmpeg's lowest run: the conservative figure on a noisy machine. */
  bestCpuSecPerGB: number;
  bestNginxCpuSecPerGB: number;
}

type PushResult = Omit<Run, 'order' | 'bytesReceived' | 'mbps' | 'cpuSecPerGB' | 'nginxCpuSec' | 'nginxCpuSecPerGB'>;

const ACCESS_LOG = process.env['NGINX_RTMP_ACCESS_LOG'] ?? '/var/log/nginx/access.log';
let seq = 0;
const uniqueKey = (tool: Tool): string => `bench-${tool}-${process.pid}-${++seq}`;

function nginxPid(nginx: NginxRtmp): number {
  return Number(readFileSync(join(nginx.dir, 'nginx.pid'), 'utf8').trim());
}

/** bytes_received of the PUBLISH connection of `key`, from nginx-rtmp's default access log. */
async function bytesReceived(nginx: NginxRtmp, key: string): Promise<number> {
  const re = new RegExp(`PUBLISH "live" "${key}" "[^"]*" - (\\d+) (\\d+)`);
  // nginx-rtmp's access log is on by default, at its compiled-in path (Debian: /var/log/nginx/);
  // keys are unique per run, so a shared log is fine.
  const logs = [ACCESS_LOG, join(nginx.dir, 'logs', 'access.log')];
  for (let i = 0; i < 100; i++) {
    for (const path of logs) {
      let log = '';
      try {
        log = readFileSync(path, 'utf8');
      } catch {
        continue; // not there (yet)
      }
      const m = re.exec(log);
      if (m) return Number(m[1]);
    }
    await sleep(50);
  }
  throw new Error(`nginx logged no finished PUBLISH for ${key} (looked in ${logs.join(', ')})`);
}

async function pushTandem(nginx: NginxRtmp, s: PreparedStream, packets: readonly EncodedPacket[], videoFrames: number, key: string): Promise<PushResult> {
  const out = new RtmpOutput({
    id: 'bench', url: nginx.url('live', key), reconnect: { enabled: false },
    // Everything is written at once: the queue must not apply the live drop policy, and there is
    // no settle wait after publish (nginx-rtmp here accepts every key).
    dropThresholdMs: 1e12, publishSettleMs: 0, pingIntervalMs: 3_600_000,
    videoBitrateKbps: KBPS,
  });
  let error: Error | undefined;
  out.on('error', (e) => (error ??= e));
  const c0 = selfCpuSec();
  const t0 = performance.now();
  await out.start(s.configs);
  for (const p of packets) out.write(p);
  while (!error && out.stats().framesSent < videoFrames) await sleep(1);
  const bytesSent = out.stats().bytesSent;
  await out.stop();
  const wallSec = (performance.now() - t0) / 1000;
  const cpuSec = selfCpuSec() - c0;
  if (error) throw new Error(`tandem run failed: ${error.message}`);
  return { tool: 'tandem', wallSec, cpuSec, bytesSent };
}

async function pushFfmpeg(nginx: NginxRtmp, ffmpeg: string, flv: string, key: string): Promise<PushResult> {
  const c0 = reapedChildrenCpuSec();
  const t0 = performance.now();
  const child = spawn(ffmpeg, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', flv, '-c', 'copy', '-f', 'flv', nginx.url('live', key)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-2000)));
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  const wallSec = (performance.now() - t0) / 1000;
  await sleep(20);
  const cpuSec = reapedChildrenCpuSec() - c0; // the child is reaped: its user+sys is in cutime/cstime
  if (code !== 0) throw new Error(`ffmpeg push exited ${code}: ${stderr}`);
  return { tool: 'ffmpeg', wallSec, cpuSec };
}

async function main(): Promise<void> {
  if (process.platform !== 'linux') throw new Error('this benchmark reads /proc (Linux only)');
  const machine = machineInfo();
  const ff = await resolveFfmpeg();
  console.log(`preparing ${CLIP_SEC} s of 1280x720p30 H.264 ${KBPS} kbit/s + AAC 128 kbit/s …`);
  const s = await prepareStream({ ffmpegPath: ff.path, seconds: CLIP_SEC, videoBitrateKbps: KBPS, aac: true, opus: false });
  const packets = looped(s, LOOPS);
  const videoFrames = s.videoFrames * LOOPS;
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-rtmp-'));
  const flv = join(dir, 'prepared.flv');
  const flvBytes = writeFlv(flv, s, packets);
  const payloadBytes = packets.reduce((n, p) => n + packetSize(p), 0);
  console.log(`stream: ${s.seconds.toFixed(1)} s × ${LOOPS} loops = ${(s.seconds * LOOPS).toFixed(0)} s of media, ${videoFrames} video frames, video ${s.videoKbps.toFixed(0)} kbit/s, FLV ${(flvBytes / 1e6).toFixed(1)} MB`);
  const nginx = await startNginxRtmp();
  const pid = nginxPid(nginx);
  const runs: Run[] = [];
  let broken = 0;
  try {
    const once = async (tool: Tool, order: number, counted: boolean): Promise<void> => {
      const key = uniqueKey(tool);
      // nginx's CPU from before the connect until it logged the disconnect, i.e. until it had read
      // and handled every byte (ffmpeg exits with its last bytes still in the socket buffers).
      const n0 = procRuntimeSec(pid) ?? NaN;
      const r = tool === 'tandem' ? await pushTandem(nginx, s, packets, videoFrames, key) : await pushFfmpeg(nginx, ff.path, flv, key);
      const rx = await bytesReceived(nginx, key);
      const nginxCpuSec = (procRuntimeSec(pid) ?? NaN) - n0;
      const run: Run = { ...r, order, bytesReceived: rx, mbps: (rx * 8) / r.wallSec / 1e6, cpuSecPerGB: r.cpuSec / (rx / 1e9), nginxCpuSec, nginxCpuSecPerGB: nginxCpuSec / (rx / 1e9) };
      // A run counts only if (about) the whole stream reached nginx: FLV payload ± RTMP/FLV framing.
      const ok = rx >= 0.98 * flvBytes && rx <= 1.05 * flvBytes && (r.bytesSent === undefined || Math.abs(rx - r.bytesSent) <= 0.01 * rx);
      console.log(`${counted ? `run ${order}` : 'warm-up'} ${tool.padEnd(6)} ${fmt(run.wallSec, 3)} s  ${fmt(run.mbps, 0)} Mbit/s  CPU ${fmt(run.cpuSec, 3)} s = ${fmt(run.cpuSecPerGB, 2)} CPU-s/GB  nginx CPU ${fmt(run.nginxCpuSec, 3)} s = ${fmt(run.nginxCpuSecPerGB, 2)} s/GB  received ${rx} B${r.bytesSent !== undefined ? ` (sent ${r.bytesSent})` : ''}${ok ? '' : '  BROKEN'}`);
      if (!ok) broken++;
      else if (counted) runs.push(run);
    };
    // One warm-up each (page cache, JIT), then RUNS alternating pairs, the order flipping each time.
    await once('tandem', 0, false);
    await once('ffmpeg', 0, false);
    for (let i = 1; i <= RUNS; i++) {
      const order: Tool[] = i % 2 ? ['tandem', 'ffmpeg'] : ['ffmpeg', 'tandem'];
      for (const t of order) await once(t, i, true);
    }
  } finally {
    await nginx.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const env = { ...machine.finish(), ffmpeg: `${ff.path} ${ff.version}`, runs: RUNS, clipSec: s.seconds, loops: LOOPS, mediaSec: s.seconds * LOOPS, videoKbps: s.videoKbps, flvBytes, payloadBytes, videoFrames };
  const of = (t: Tool, k: keyof Run): number => median(runs.filter((r) => r.tool === t).map((r) => r[k] as number));
  const summary = Object.fromEntries(
    (['tandem', 'ffmpeg'] as const).map((t) => [t, { mbps: of(t, 'mbps'), cpuSecPerGB: of(t, 'cpuSecPerGB'), cpuSec: of(t, 'cpuSec'), wallSec: of(t, 'wallSec'), nginxCpuSecPerGB: of(t, 'nginxCpuSecPerGB') }]),
  ) as Record<Tool, Summary>;
  // Ratios of the medians; and, less sensitive to the load drifting during the benchmark, the
  // median of the per-pair ratios (each pair ran back to back).
  const pairs = (k: 'cpuSecPerGB' | 'nginxCpuSecPerGB'): number =>
    median(Array.from({ length: RUNS }, (_, i) => {
      const a = runs.find((r) => r.order === i + 1 && r.tool === 'tandem');
      const b = runs.find((r) => r.order === i + 1 && r.tool === 'ffmpeg');
      return a && b ? a[k] / b[k] : NaN;
    }).filter(Number.isFinite));
  const best = (k: 'cpuSecPerGB' | 'nginxCpuSecPerGB'): number => Math.min(...runs.filter((r) => r.tool === 'ffmpeg').map((r) => r[k]));
  const ratio: Ratios = {
    mbps: summary.tandem.mbps / summary.ffmpeg.mbps,
    cpuSecPerGB: summary.tandem.cpuSecPerGB / summary.ffmpeg.cpuSecPerGB,
    nginxCpuSecPerGB: summary.tandem.nginxCpuSecPerGB / summary.ffmpeg.nginxCpuSecPerGB,
    pairCpuSecPerGB: pairs('cpuSecPerGB'),
    pairNginxCpuSecPerGB: pairs('nginxCpuSecPerGB'),
    bestCpuSecPerGB: summary.tandem.cpuSecPerGB / best('cpuSecPerGB'),
    bestNginxCpuSecPerGB: summary.tandem.nginxCpuSecPerGB / best('nginxCpuSecPerGB'),
  };
  console.log(`median: tandem ${fmt(summary.tandem.mbps, 0)} Mbit/s ${fmt(summary.tandem.cpuSecPerGB, 2)} CPU-s/GB (nginx ${fmt(summary.tandem.nginxCpuSecPerGB, 2)}); ffmpeg ${fmt(summary.ffmpeg.mbps, 0)} Mbit/s ${fmt(summary.ffmpeg.cpuSecPerGB, 2)} CPU-s/GB (nginx ${fmt(summary.ffmpeg.nginxCpuSecPerGB, 2)})`);
  console.log(`ratio Tandem/ffmpeg: throughput ${fmt(ratio.mbps)}×, publisher CPU per GB ${fmt(ratio.cpuSecPerGB)}× (pairs ${fmt(ratio.pairCpuSecPerGB)}×), nginx CPU per GB ${fmt(ratio.nginxCpuSecPerGB)}× (pairs ${fmt(ratio.pairNginxCpuSecPerGB)}×); vs ffmpeg's best run ${fmt(ratio.bestCpuSecPerGB)}× and ${fmt(ratio.bestNginxCpuSecPerGB)}×`);
  writeResults('rtmp', { env, summary, ratio, broken, runs }, markdown(env, summary, ratio, runs, broken));
  if (broken || runs.length < 2 * RUNS) throw new Error(`${broken} broken run(s)`);
}

function markdown(env: Record<string, unknown> & ReturnType<ReturnType<typeof machineInfo>['finish']>, sum: Record<Tool, Summary>, ratio: Ratios, runs: Run[], broken: number): string {
  const row = (t: Tool, label: string): string[] => [label, fmt(sum[t].mbps, 0), fmt(sum[t].cpuSecPerGB, 2), fmt(sum[t].wallSec, 3), fmt(sum[t].cpuSec, 3), fmt(sum[t].nginxCpuSecPerGB, 2)];
  const perRun = runs.map((r) => [String(r.order), r.tool, fmt(r.wallSec, 3), fmt(r.mbps, 0), fmt(r.cpuSec, 3), fmt(r.cpuSecPerGB, 2), fmt(r.nginxCpuSec, 3), fmt(r.nginxCpuSecPerGB, 2), String(r.bytesReceived)]);
  return `# RTMP publisher benchmark (bench/rtmp.ts)

Issue #4. How fast, and at what CPU cost, Tandem's RTMP publisher (\`RtmpOutput\`: FLV tags, RTMP
chunking, socket) pushes a stream, against ffmpeg's RTMP muxer pushing the same content to the same
server in the same run.

## Method

- **Content** — prepared once per benchmark run with the project's \`Encoder\` (testsrc2 + 1 kHz tone,
  1280x720p30, x264 veryfast zerolatency, no B-frames, 2 s GOP, ${KBPS} kbit/s CBR-ish; AAC-LC
  128 kbit/s 48 kHz stereo), kept in memory as \`EncodedPacket\`s: ${fmt(env['clipSec'] as number, 1)} s of media
  (video measured at ${fmt(env['videoKbps'] as number, 0)} kbit/s), repeated ${env['loops']} times back to back (timestamps
  continue) = ${fmt(env['mediaSec'] as number, 0)} s of media, ${env['videoFrames']} video frames. The same packets are
  written to an FLV file (our FLV tag writer: sequence headers + every frame, no metadata) of
  ${((env['flvBytes'] as number) / 1e6).toFixed(1)} MB in a temp dir (page-cached after the warm-up).
- **Server** — one nginx-rtmp (\`test/peers/nginx.ts\`, single process, \`chunk_size 4096\`) on
  127.0.0.1 for the whole benchmark; each push publishes to a fresh stream key.
- **(a) Tandem** — \`RtmpOutput\` in this Node process: \`start()\` (TCP connect, handshake, connect/
  publish, metadata, sequence headers), then every packet \`write()\`n at once (the drop threshold set
  out of reach, \`publishSettleMs: 0\`), wait until the last video frame went to the socket, \`stop()\`
  (FCUnpublish/deleteStream, socket end). Pacing: none — the output sends as fast as the socket
  drains (it keeps ≤ 256 KiB in the socket's user-space buffer). CPU = \`process.cpuUsage()\` delta
  (user+sys, all threads of this process) from before \`start()\` to after \`stop()\`.
- **(b) ffmpeg** — \`${env['ffmpeg'] as string}\`: \`ffmpeg -i prepared.flv -c copy -f flv rtmp://…\`
  (no \`-re\`). CPU = its user+sys from our \`/proc/self/stat\` cutime+cstime delta once it is reaped
  (no other child exits during the window). Wall time spawn → exit, so it includes process start,
  probing the file and the RTMP connect; Tandem's includes its connect too.
- **Figures** — Mbit/s = bytes nginx received ÷ wall time; CPU-s per GB = publisher CPU ÷ (bytes
  received / 10⁹). nginx's CPU per GB the same way: the on-CPU time of its one process (sum of
  /proc/PID/task/*/schedstat, ns resolution; utime+stime's 10 ms ticks are too coarse for the
  ~0.05 s it spends per push), from before the publisher connects until nginx has logged the
  disconnect (so the bytes still in flight when ffmpeg exits are counted).
- **Verification** — after each push, the \`PUBLISH\` line nginx-rtmp writes to its access log on
  disconnect (on by default, at its compiled-in path \`/var/log/nginx/access.log\`) gives the bytes it received on that connection. A run counts only if that is 98–105 %
  of the FLV file size (and, for Tandem, within 1 % of what our session wrote); otherwise the
  benchmark reports it BROKEN and exits non-zero. Broken runs in this result: ${broken}.
- **Runs** — one warm-up push each (not counted), then ${env['runs']} pairs, alternating which goes
  first. Medians below.

## Machine

${machineLine(env)}. Shared with other engineers' test runs (noisy): wall-time figures move
with the load; CPU-s per GB is the steadier figure.

## Results (medians of ${env['runs']} runs each)

${mdTable(['publisher', 'Mbit/s', 'CPU-s per GB', 'wall s', 'CPU s', 'nginx CPU-s per GB'], [row('tandem', 'Tandem RtmpOutput'), row('ffmpeg', 'ffmpeg -c copy')])}

**Ratios Tandem / ffmpeg (of the medians): throughput ${fmt(ratio.mbps)}×, publisher CPU per GB
${fmt(ratio.cpuSecPerGB)}×, nginx CPU per GB ${fmt(ratio.nginxCpuSecPerGB)}×.** Median of the ${env['runs']} per-pair ratios:
publisher CPU per GB ${fmt(ratio.pairCpuSecPerGB)}×, nginx CPU per GB ${fmt(ratio.pairNginxCpuSecPerGB)}×. Tandem's median against ffmpeg's
lowest run (the conservative reading on a noisy machine): ${fmt(ratio.bestCpuSecPerGB)}× and ${fmt(ratio.bestNginxCpuSecPerGB)}×. Targets (issue 12):
both ≤ 1.10×.

### Every run

${mdTable(['pair', 'publisher', 'wall s', 'Mbit/s', 'CPU s', 'CPU-s/GB', 'nginx CPU s', 'nginx CPU-s/GB', 'bytes received'], perRun)}

## Why Tandem used to cost more, and the fix (issue 12)

Before (commit 55fbdf4, this benchmark, 2026-12-01, load ~4.5): Tandem 12.52 CPU-s/GB vs ffmpeg
7.10 (**1.76×**, per-pair 1.69×), nginx receiving Tandem 2.81 CPU-s/GB vs 1.25 receiving ffmpeg
(**2.24×**, per-pair 2.13×); the first published run (2026-11-25, quiet machine) had 1.87× and
2.6×. Same bytes on the wire both ways (nginx received 100 026 898 B from Tandem, 100 026 819 B
from ffmpeg), so not the framing:

- **Not the chunk size**: both announce Set Chunk Size 4096 (ffmpeg's, read from a capture:
  \`02 000000 000004 01 00000000 00001000\`), so the chunk and type-3 header counts are the same, and
  nginx's recv() count is too (it reads at most one chunk per call: ~9 400–10 200 recvfrom per
  34 MB for both). **Not acknowledgements**: nginx sends one per 5 MB window (16 sendto per push),
  and the server sends us next to nothing to acknowledge.
- **One write() and one TCP segment per RTMP message.** \`RtmpOutput.pump()\` wrote each message
  on its own, the socket has TCP_NODELAY, so each audio (~400 B) and video (~11 KB) message left as
  its own segment and woke nginx up on its own. ffmpeg makes even more, smaller writes (27 900
  sendto per 34 MB: header, chunk, 1-byte type-3 marker…) but keeps Nagle on, so the kernel
  coalesces them. A 34 MB push (10 × 10 s clip, 7 680 messages), measured with
  \`strace -c -f -p PID\` (nginx; our process) and \`tcpdump -i lo tcp dst port PORT\`:

  | | write syscalls (publisher) | data segments to nginx | mean segment | nginx epoll_wait |
  |---|---|---|---|---|
  | Tandem before | 7 735 write | 6 735 | 5.1 KB | 2 962 |
  | ffmpeg -c copy | 27 928 sendto | 983 | 34.8 KB | 519 |
  | Tandem after | 129 writev + 88 write | 649 | 52.7 KB | 210 |

  On loopback the receive side of every segment (skb, softirq, ACK, wakeup) is paid by the two
  processes, so 7× the segments cost nginx ~2.2× the CPU and cost us kernel time (24.6 % of our
  samples under \`perf record -g\` before, 14 % after).
- **Three copies and three fresh buffers per video frame** in our process: Annex B → AVCC
  (\`nalusToAvcc\`), AVCC → FLV tag (\`avcFrameTag\`), tag → chunks (\`ChunkWriter\`), each a new
  zero-filled ArrayBuffer (plus one of each per audio frame). \`perf\` of our process before: V8
  GC (concurrent marking, sweeping — driven by external-memory growth) 20–30 % of samples,
  malloc/memset/free 10–14 %, the Annex B scan (\`splitAnnexB\`) 9–14 %.

The fix:

1. \`src/main/outputs/rtmp/socket.ts\`: \`RtmpSocket.write\` gathers everything written during the
   current tick (views that continue one another in one ArrayBuffer merged) and hands it to the
   socket once, at the end of the tick (one write, or one corked writev). \`writableLength\` counts
   the gathered bytes, so the 256 KiB back-pressure in \`pump()\` is unchanged; \`drain\` follows a
   flush that left room; \`end()\` flushes first. Latency: none added (same tick).
2. \`src/main/protocol/rtmp/chunk-writer.ts\`: messages are encoded back to back into shared
   256 KiB output blocks (never rewritten; a keyframe over 64 KiB gets its own buffer), headers
   written in place, and a payload may be given in parts that are copied straight into the chunks
   (RTMP 1.0 §5.3.1: chunking is independent of how the payload is held).
   \`RtmpClientSession.sendVideo/sendAudio\` take parts.
3. \`RtmpOutput.pump()\` (\`rtmp-output.ts\`) sends the tag header, the 4-byte NAL lengths and the NAL
   units as parts: one copy per frame (into the chunk block) instead of three.

After the fix, four runs of this benchmark on 2026-12-01 (1-min load 5–8, 7 pairs each) gave
publisher CPU per GB 0.50–0.79× ffmpeg's and nginx CPU per GB 0.39–0.86× (ratios of the medians;
against ffmpeg's lowest run: 0.55–0.86× and 0.87–0.93× in the two runs that reported it); the
results above are the last of them. Tandem's throughput went from ~0.7–1.0× ffmpeg's to 1.4–2.2×.

What is left in our profile: the Annex B scan in \`pump()\` (~21 % of samples), which goes away
when packets carry NAL units; V8 GC ~15 %; the socket copy in the kernel, which ffmpeg pays too.

## Caveats

- Loopback, one local nginx on the same 2 cores: the publisher, nginx and everything else on the
  machine share the CPUs, so Mbit/s is bounded by the scheduler as much as by the publisher.
- ffmpeg's figure includes its process start and input probing (a fixed cost: its dynamic
  linking alone is ~0.05 CPU-s under \`perf\`, ~0.5 CPU-s/GB at ${((env['flvBytes'] as number) / 1e6).toFixed(0)} MB, which flatters the ratios
  by up to ~10 %); Tandem's excludes Node start-up and the module load (a long-running app pays
  them once).
  Tandem's CPU includes whatever else this Node process does meanwhile (timers, GC); the
  benchmark keeps the process otherwise idle.
- nginx's CPU receiving ffmpeg is bimodal from run to run (about 1, or 2–3 CPU-s/GB), whatever
  the order (probably timing: ffmpeg leaves segment sizes to Nagle); receiving Tandem it is steady.
  Hence also the ratio against ffmpeg's lowest run above.
- Unpaced pushing is not how either publishes live (live = paced by the encoder); it measures the
  cost per byte of the send path, which is what a live stream pays at its bitrate: e.g. at 6 Mbit/s
  (2.7 GB/h) multiply CPU-s per GB by 2.7 for CPU-s per hour.
`;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
