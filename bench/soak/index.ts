// Soak (issue #12): the studio in browser mode (the build's `tandem serve`), shown in Chromium with
// a fake camera + microphone, live at 720p30 for DURATION to 2 RTMP destinations (two private
// nginx-rtmp) and 2 WHIP destinations (two private Janus + simple-whip-server),
// recording Matroska at the same time, with one server restart in the middle (the first nginx is
// SIGKILLed and started again 4 s later). Reports the engine's RSS and V8 heap over time
// (getEngineStats().memory), the video frames each output sent against the frames its far end
// received (RTMP: an ffmpeg player per nginx, a new one after the restart, counting packets with
// -c copy, no decoding, so the far ends leave the CPU to the studio; WHIP: Janus' RTP forward
// into ffmpeg, decoded), and the reconnects. Not in CI.
//
//   npm run bench:soak [-- --duration 600 --restart-at 300]   (seconds; defaults 600, half-time;
//   env SKIP_BUILD=1 uses the existing out/)
//
// Writes docs/benchmarks/soak.{md,json}.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startNginxRtmp, type NginxRtmp } from '../../test/peers/nginx';
import { startWhipServer, type WhipServer } from '../../test/peers/janus';
import { reserveRtpPorts, startRtpReceiver, type RtpReceiver } from '../../test/peers/rtp-receiver';
import { sleep } from '../../test/peers/ports';
import { openStudio, type OpenStudio } from '../../test/helpers/studio-process';
import { useFfmpegVideoPath } from '../../test/helpers/video-path';
import { playStream, type Player } from '../../test/helpers/far-end';
import { probeFile } from '../../test/peers/ffprobe';
import type { Destination, EngineStats, StudioApi } from '../../src/shared/api';
import type { OutputStats } from '../../src/shared/stats';
import { buildAppUnlessSkipped } from '../_lib/build';
import { machineInfo, machineLine, mdTable, writeResults } from '../_lib/report';

const { values } = parseArgs({ options: { duration: { type: 'string' }, 'restart-at': { type: 'string' }, 'sample-every': { type: 'string' } } });
const DURATION_S = Number(values.duration ?? 600);
const RESTART_AT_S = Number(values['restart-at'] ?? DURATION_S / 2);
const SAMPLE_S = Number(values['sample-every'] ?? 10);
const WARMUP_S = Math.min(60, DURATION_S / 4);
const OPUS_PT = 96;
const H264_PT = 97;

interface Sample {
  t: number;
  rssMb: number;
  heapUsedMb: number;
  cpuPercent: number;
  states: Record<string, string>;
}

interface RtmpFarEnd {
  kind: 'rtmp';
  dest: Destination;
  nginx: NginxRtmp;
  key: string;
  players: Player[];
}
interface WhipFarEnd {
  kind: 'whip';
  dest: Destination;
  host: string;
  ports: { videoPort: number; audioPort?: number };
  /** Started just before its destination goes live: ffmpeg's SDP input gives up after 10 s without a packet. */
  rx: RtpReceiver | undefined;
}
type FarEnd = RtmpFarEnd | WhipFarEnd;

const received = (f: FarEnd): number => (f.kind === 'rtmp' ? f.players.reduce((n, p) => n + p.stats().frames, 0) : (f.rx?.stats().frames ?? 0));

async function main(): Promise<void> {
  buildAppUnlessSkipped();
  const machine = machineInfo();
  const dir = mkdtempSync(join(tmpdir(), 'tandem-soak-'));
  const recording = join(dir, 'soak.mkv');
  let open: OpenStudio | undefined;
  const nginxes: NginxRtmp[] = [];
  const whips: WhipServer[] = [];
  const receivers: RtpReceiver[] = [];
  const farEnds: FarEnd[] = [];
  try {
    process.stdout.write(`soak: ${DURATION_S} s, restart of nginx #1 at ${RESTART_AT_S} s\n`);
    // One WHIP server per destination: simple-whip-server mixes up two publishers at once (the
    // second one's join breaks the first one's RTP forward: "Missing mandatory element (publisher_id)").
    const [o, n1, n2, w1, w2] = await Promise.all([openStudio({ width: 1440, height: 900 }), startNginxRtmp(), startNginxRtmp(), startWhipServer(), startWhipServer()]);
    open = o;
    whips.push(w1, w2);
    nginxes.push(n1, n2);
    const api: StudioApi = o.api;
    await useFfmpegVideoPath(api);
    for (const [i, n] of nginxes.entries()) {
      const key = `soak-${i + 1}`;
      const dest = await api.addDestination({ name: `RTMP ${i + 1}`, protocol: 'rtmp', url: `rtmp://127.0.0.1:${n.rtmpPort}/live`, secret: key });
      farEnds.push({ kind: 'rtmp', dest, nginx: n, key, players: [playStream(n.url('live', key), { copy: true })] });
    }
    for (const [k, w] of whips.entries()) {
      const i = k + 1;
      const ports = await reserveRtpPorts({ host: w.recipientHost });
      const token = `soak-token-${i}-0123456789`;
      const url = await w.createEndpoint({ id: `soak-${i}`, token, recipient: ports.audioPort === undefined ? { videoPort: ports.videoPort } : { videoPort: ports.videoPort, audioPort: ports.audioPort } });
      const dest = await api.addDestination({ name: `WHIP ${i}`, protocol: 'whip', url, secret: token });
      farEnds.push({ kind: 'whip', dest, host: w.recipientHost, ports, rx: undefined });
    }

    await api.startRecording({ path: recording });
    const t0 = Date.now();
    // RTMP first, then one WHIP destination at a time (each takes a few seconds of CPU to connect).
    await api.goLive({ ids: farEnds.filter((f) => f.kind === 'rtmp').map((f) => f.dest.id) });
    for (const f of farEnds) {
      if (f.kind !== 'whip') continue;
      f.rx = await startRtpReceiver({ videoPt: H264_PT, audioPt: OPUS_PT, host: f.host, ports: f.ports });
      receivers.push(f.rx);
      await api.goLive({ ids: [f.dest.id] });
      const until = Date.now() + 30_000;
      while (Date.now() < until && (await api.getStats()).find((s) => s.id === f.dest.id)?.state !== 'live') await sleep(200);
      await sleep(2000);
    }
    const samples: Sample[] = [];
    const sample = async (): Promise<{ engine: EngineStats; stats: OutputStats[] }> => {
      const [engine, stats] = await Promise.all([api.getEngineStats(), api.getStats()]);
      const states = Object.fromEntries(stats.map((s) => [farEnds.find((f) => f.dest.id === s.id)?.dest.name ?? s.id, s.state]));
      samples.push({ t: Math.round((Date.now() - t0) / 1000), rssMb: engine.memory.rssMb, heapUsedMb: engine.memory.heapUsedMb, cpuPercent: Math.round(engine.cpuPercent), states });
      return { engine, stats };
    };
    let restartedAt: number | undefined;
    let backAt: number | undefined;
    const restartTarget = farEnds[0] as RtmpFarEnd;
    while (Date.now() - t0 < DURATION_S * 1000) {
      const elapsed = (Date.now() - t0) / 1000;
      if (restartedAt === undefined && elapsed >= RESTART_AT_S) {
        process.stdout.write(`soak: ${Math.round(elapsed)} s: killing nginx #1\n`);
        await restartTarget.nginx.kill();
        restartedAt = Date.now();
        await sleep(4000);
        await restartTarget.nginx.start();
        backAt = Date.now();
        // The old player ended with the server; the new one waits for the publisher's return.
        restartTarget.players.push(playStream(restartTarget.nginx.url('live', restartTarget.key), { copy: true }));
      }
      const { stats } = await sample();
      const last = samples.at(-1)!;
      process.stdout.write(`soak: ${last.t} s rss ${last.rssMb} MB heap ${last.heapUsedMb} MB cpu ${last.cpuPercent}% ${stats.map((s) => `${s.id.slice(0, 6)}:${s.state}:${s.framesSent}`).join(' ')} | rx ${farEnds.map(received).join(' ')}\n`);
      for (const s of stats) if (s.state !== 'live' && s.lastError) process.stdout.write(`  ${s.id.slice(0, 6)} ${s.state}: ${s.lastError.code}: ${s.lastError.message}\n`);
      await sleep(Math.max(0, SAMPLE_S * 1000 - ((Date.now() - t0) % (SAMPLE_S * 1000))));
    }
    const final = await sample();
    const endedAt = Date.now();
    await api.stopLive();
    const rec = await api.stopRecording();
    await sleep(3000); // the far ends drain
    const probe = await probeFile(recording).catch(() => undefined);

    const dests = farEnds.map((f) => {
      const s = final.stats.find((x) => x.id === f.dest.id);
      const sent = s?.framesSent ?? 0;
      const got = received(f);
      return { name: f.dest.name, protocol: f.kind, lastError: s?.lastError?.message ?? null, framesSent: sent, framesReceived: got, receivedPct: sent > 0 ? Math.round((1000 * got) / sent) / 10 : 0, framesDropped: s?.framesDropped ?? 0, reconnects: s?.reconnects ?? 0, finalState: s?.state ?? 'gone' };
    });
    const at = (t: number): Sample => samples.reduce((best, x) => (Math.abs(x.t - t) < Math.abs(best.t - t) ? x : best), samples[0]!);
    const base = at(WARMUP_S);
    const mid = at(DURATION_S / 2);
    const end = samples.at(-1)!;
    const peakRss = Math.max(...samples.filter((x) => x.t >= WARMUP_S).map((x) => x.rssMb));
    const memory = {
      start: samples[0],
      afterWarmup: base,
      middle: mid,
      end,
      rssGrowthAfterWarmupMb: Math.round((end.rssMb - base.rssMb) * 10) / 10,
      heapGrowthAfterWarmupMb: Math.round((end.heapUsedMb - base.heapUsedMb) * 10) / 10,
      peakRssAfterWarmupMb: peakRss,
    };
    const result = {
      machine: machine.finish(),
      durationSec: Math.round((endedAt - t0) / 1000),
      restart: restartedAt === undefined ? null : { atSec: Math.round((restartedAt - t0) / 1000), downMs: (backAt ?? restartedAt) - restartedAt, server: 'nginx #1 (RTMP 1)' },
      memory,
      destinations: dests,
      recording: { error: rec.error ?? null, durationSec: probe?.durationSec ?? null, video: probe?.video ?? null },
      samples,
    };
    writeResults('soak', result, report(result));
    process.stdout.write(`${JSON.stringify({ memory: { rssGrowthAfterWarmupMb: memory.rssGrowthAfterWarmupMb, heapGrowthAfterWarmupMb: memory.heapGrowthAfterWarmupMb }, destinations: dests })}\n`);
  } finally {
    for (const f of farEnds) if (f.kind === 'rtmp') for (const p of f.players) await p.stop();
    for (const rx of receivers) {
      const r = await rx.result();
      if (process.env['SOAK_DEBUG'] === '1') process.stdout.write(`receiver ${rx.videoPort}: ${r.frames} frames\n${r.stderrTail.split('\n').filter((l) => !/^0,/.test(l)).slice(-40).join('\n')}\n`);
    }
    await open?.close();
    for (const n of nginxes) await n.stop();
    for (const w of whips) await w.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

type Result = {
  machine: ReturnType<ReturnType<typeof machineInfo>['finish']>;
  durationSec: number;
  restart: { atSec: number; downMs: number; server: string } | null;
  memory: { start: Sample | undefined; afterWarmup: Sample; middle: Sample; end: Sample; rssGrowthAfterWarmupMb: number; heapGrowthAfterWarmupMb: number; peakRssAfterWarmupMb: number };
  destinations: { name: string; protocol: string; lastError: string | null; framesSent: number; framesReceived: number; receivedPct: number; framesDropped: number; reconnects: number; finalState: string }[];
  recording: { error: unknown; durationSec: number | null; video: unknown };
  samples: Sample[];
};

function report(r: Result): string {
  const m = r.memory;
  const row = (label: string, s: Sample | undefined): string[] => [label, s ? `${s.t} s` : '', s ? `${s.rssMb}` : '', s ? `${s.heapUsedMb}` : ''];
  return `# Soak benchmark (bench/soak/index.ts)

Issue #12. Does the engine hold up over a long live session with every kind of output at once?

## Method

- The app built with \`electron-vite build\`, run in browser mode (\`node out/main/cli.js serve\`);
  Chromium (headless, fake camera + microphone) shows the studio; the studio's video takes the
  ffmpeg path (raw I420 frames from the renderer, libx264 in the engine: \`encoder: 'libx264'\`).
- Live at 1280x720p30 for ${r.durationSec} s to 2 RTMP destinations (two private nginx-rtmp) and 2
  WHIP destinations (two private Janus + simple-whip-server: that server mixes up two publishers
  at once), and recording
  Matroska at the same time. ${r.restart ? `At ${r.restart.atSec} s ${r.restart.server}'s server is SIGKILLed and started again ${Math.round(r.restart.downMs / 100) / 10} s later.` : 'No restart happened.'}
- Every ${SAMPLE_S} s: \`getEngineStats()\` (the engine process' \`process.memoryUsage()\`: RSS and
  V8 heap used, and CPU) and \`getStats()\` (per output: video frames sent, reconnects).
- Far ends count the video frames they receive: RTMP, an ffmpeg player on each nginx without
  decoding (\`-c copy -f framecrc\`; a second player for the restarted server, started as soon as
  it is back); WHIP, Janus' RTP forward into ffmpeg, decoded. *Sent* = the output's \`framesSent\` (frames that
  reached the socket / the WebRTC stack while connected).
- Target: memory growth under 20 MB after the first minute; every frame sent while connected is
  received.

## Machine

${machineLine(r.machine)}. Shared with other engineers' test runs (noisy); no GPU (Chromium's
WebGL is SwiftShader).

## Memory (engine process)

${mdTable(['when', 't', 'RSS MB', 'heap used MB'], [row('start', m.start), row('after warm-up', m.afterWarmup), row('middle', m.middle), row('end', m.end)])}

Growth after the warm-up (${m.afterWarmup.t} s → end): RSS **${m.rssGrowthAfterWarmupMb} MB**, heap **${m.heapGrowthAfterWarmupMb} MB**
(peak RSS after the warm-up ${m.peakRssAfterWarmupMb} MB). Target < 20 MB: **${Math.abs(m.rssGrowthAfterWarmupMb) < 20 ? 'met' : 'NOT met'}**.

## Frames sent vs received

${mdTable(
    ['destination', 'sent', 'received', 'received %', 'dropped (queue/not live)', 'reconnects', 'final state'],
    r.destinations.map((d) => [d.name, `${d.framesSent}`, `${d.framesReceived}`, `${d.receivedPct}`, `${d.framesDropped}`, `${d.reconnects}`, d.finalState]),
  )}

Recording: ${r.recording.error ? `error ${JSON.stringify(r.recording.error)}` : `${r.recording.durationSec ?? '?'} s of video`}.

Raw samples are in soak.json.
`;
}

main().catch((e: unknown) => {
  process.stderr.write(`soak: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
