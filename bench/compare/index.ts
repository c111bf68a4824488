// `npm run bench:compare` — RTMP vs WHIP side by side (issue #8). One run measures, on the same
// encoded stream, glass-to-glass latency and the publisher's share (baseline), R and U = R/B over
// tbf-capped links, and latency / delivery / recovery through impairment relays; then writes
// docs/benchmarks/protocols.{md,json} and SVG charts, and prints a summary. See the method section
// of the generated page for how each figure is computed.
//
// Env: BENCH_ONLY=id,id (run a subset), BENCH_SCALE=0.5 (shorter windows, for development),
// BENCH_OUT=dir (default docs/benchmarks), BENCH_RENDER=protocols.json (re-render a saved run's
// figures without measuring), BENCH_CHROMIUM=0 (leave out the Chromium WHIP receiver, on by
// default in the baseline and impairment cells; see cells()). Needs root (network namespaces, tc) and the peers of
// test/peers/install.sh.
import { mkdirSync, rmSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { resolveFfmpeg } from '../../src/main/encoder/ffmpeg-path';
import { PacketBus } from '../../src/main/pipeline/packet-bus';
import { EncoderGroup } from '../../src/main/pipeline/encoder-group';
import { FfmpegAudioSource, FfmpegVideoBackend } from '../../src/main/pipeline/ffmpeg-backend';
import { nowUs } from '../../src/main/encoder/timestamps';
import { startWhipServer, type WhipServer } from '../../test/peers/janus';
import { launchChromiumInNetns, type LaunchedNetnsChromium } from '../../test/peers/chromium';
import { FFMPEG } from '../../test/peers/proc';
import { liveNetnsNames } from '../../test/peers/netns';
import { GROUP, runCell, type CellResult, type CellSpec, type Env } from './cell';
import { killAllReaders } from './readers';
import { startNsNginx, type NsNginx } from '../../test/peers/shaped';
import { StripSource } from './source';
import { WireTap, fingerprint } from './wire-tap';
import { writeReport, printSummary, type RunInfo } from './report';

const DEADLINE_MS = 14 * 60 * 1000; // the whole run, including start-up and teardown, stays under 15 min
const SCALE = Number(process.env['BENCH_SCALE'] ?? 1);
const ONLY = (process.env['BENCH_ONLY'] ?? '').split(',').filter(Boolean);
const OUT_DIR = process.env['BENCH_OUT'] ?? join(__dirname, '../../docs/benchmarks');
const NOISE: Record<number, number> = { 2500: 20, 6000: 40 };

function cells(): CellSpec[] {
  const s = (n: number): number => Math.max(5, Math.round(n * SCALE));
  // whip-chromium: Chromium in a network namespace of ours (launchChromiumInNetns; in the root ns it
  // gathers candidates on eth0's addresses only, which bench traffic must not use), over the veth
  // hostAddr ↔ nsAddr. BENCH_CHROMIUM=0 leaves it out.
  const withChromium = process.env['BENCH_CHROMIUM'] !== '0';
  const all = withChromium ? (['rtmp', 'whip-janus', 'whip-chromium'] as const) : (['rtmp', 'whip-janus'] as const);
  const out: CellSpec[] = [];
  for (const kbps of [2500, 6000]) {
    const r = kbps / 1000;
    out.push({ id: `base-${r}`, group: 'baseline', label: `no cap, ${r} Mbit/s stream`, streamKbps: kbps, seconds: s(20), targets: [...all] });
    // Links below the stream (B = 0.5× and 0.8× of it: the adaptation at work), then above it.
    for (const b of [0.5 * r, 0.8 * r, 5, 10, 20].map((x) => Math.round(x * 100) / 100)) {
      out.push({ id: `cap${b}-${r}`, group: 'throughput', label: `B = ${b} Mbit/s, ${r} Mbit/s stream`, streamKbps: kbps, capMbit: b, seconds: s(15), targets: ['rtmp', 'whip-janus'] });
    }
    if (kbps !== 2500) continue;
    for (const rtt of [50, 150]) {
      for (const loss of [0, 0.01, 0.05]) {
        out.push({ id: `rtt${rtt}-loss${loss * 100}`, group: 'impairment', label: `RTT ${rtt} ms, loss ${loss * 100} %`, streamKbps: kbps, impairment: { rttMs: rtt, lossRate: loss }, seconds: s(15), targets: withChromium ? ['rtmp', 'whip-chromium'] : ['rtmp'] });
      }
    }
    out.push({ id: 'outage2s', group: 'impairment', label: '2 s outage (RTT 50 ms)', streamKbps: kbps, impairment: { rttMs: 50, lossRate: 0, outageMs: 2000, outageAtSec: 5 }, seconds: s(16), targets: withChromium ? ['rtmp', 'whip-chromium'] : ['rtmp'] });
  }
  const targets = (process.env['BENCH_TARGETS'] ?? '').split(',').filter(Boolean);
  if (targets.length) for (const c of out) c.targets = c.targets.filter((t) => targets.includes(t));
  return ONLY.length ? out.filter((c) => ONLY.includes(c.id)) : out;
}

const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    killAllReaders();
    for (const c of cleanups.splice(0).reverse()) {
      await Promise.race([c().catch(() => undefined), new Promise((r) => setTimeout(r, 8000))]);
    }
  })();
  return cleaning;
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    process.stderr.write(`\nbench:compare: ${sig}, cleaning up\n`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  const renderOnly = process.env['BENCH_RENDER'];
  if (renderOnly) {
    // Re-render the page and charts from a saved protocols.json (same figures, new text/layout).
    const saved = JSON.parse(readFileSync(renderOnly, 'utf8')) as { info: RunInfo; results: CellResult[] };
    writeReport(OUT_DIR, saved.info, saved.results);
    printSummary(saved.info, saved.results);
    return;
  }
  const started = Date.now();
  const log = (line: string): void => void process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
  if (process.getuid?.() !== 0) throw new Error('bench:compare needs root (network namespaces and tc)');
  const ff = await resolveFfmpeg();
  const tmpDir = mkdtempSync(join(tmpdir(), 'tandem-bench-'));
  cleanups.push(async () => rmSync(tmpDir, { recursive: true, force: true }));
  const loadBefore = loadavg()[0]!;

  log('starting nginx-rtmp (namespace), Janus + simple-whip-server (namespace)');
  const nginx: NsNginx = await startNsNginx();
  cleanups.push(() => nginx.stop());
  const whip: WhipServer = await startWhipServer();
  cleanups.push(() => whip.stop());
  const list = cells();
  let chromium: LaunchedNetnsChromium | undefined;
  if (list.some((c) => c.targets.includes('whip-chromium'))) {
    log('starting Chromium (namespace)');
    const ch = await launchChromiumInNetns({ args: ['--autoplay-policy=no-user-gesture-required'] });
    chromium = ch;
    cleanups.push(() => ch.close());
  }
  const tap = new WireTap();
  tap.install();
  cleanups.push(async () => tap.uninstall());

  const env: Env = { ffmpeg: FFMPEG, browser: chromium?.browser, chromiumNetns: chromium?.netns, nginx, whip, tap, tmpDir, emitted: new Map(), audioLagMs: { aac: [], opus: [] }, log };
  const results: CellResult[] = [];
  const failed: { id: string; error: string }[] = [];
  const skipped: string[] = [];
  for (const kbps of [...new Set(list.map((c) => c.streamKbps))]) {
    const mine = list.filter((c) => c.streamKbps === kbps);
    const source = new StripSource({ ffmpegPath: ff.path, width: 1280, height: 720, fps: 30, videoBitrateKbps: kbps, noiseAmp: NOISE[kbps] ?? 30 });
    // Listen before the bus so the emit time precedes any output's write.
    source.encoder.on('packet', (p) => {
      if (p.track !== 'video') {
        const lag = env.audioLagMs[p.codec];
        if (lag && lag.length < 100_000) lag.push((nowUs() - p.pts) / 1000);
        return;
      }
      env.emitted.set(fingerprint(p.nalus), { ptsUs: p.pts, emitUs: nowUs() });
      if (env.emitted.size > 20_000) for (const k of [...env.emitted.keys()].slice(0, 10_000)) env.emitted.delete(k);
    });
    // One encoder group over the source's ffmpeg (fixed GOP), as `tandem publish` runs it.
    const audio = new FfmpegAudioSource(source.encoder);
    const bus = new PacketBus(audio);
    const group = new EncoderGroup({ id: GROUP, handle: 1, bitrateKbps: kbps });
    group.attach(new FfmpegVideoBackend(source.encoder, false));
    bus.addGroup(group);
    const stopSource = async (): Promise<void> => {
      await bus.stopAll();
      bus.close();
      await group.close();
      audio.close();
      await source.stop();
    };
    cleanups.push(stopSource);
    source.start();
    const ready = await Promise.race([new Promise<boolean>((r) => group.once('config', () => r(true))), new Promise<boolean>((r) => setTimeout(() => r(false), 15_000))]);
    if (!ready) throw new Error(`encoder (${kbps} kbit/s) not ready after 15 s`);
    log(`encoder up: 1280x720 30 fps, ${kbps} kbit/s, AAC + Opus`);
    for (const spec of mine) {
      const elapsed = Date.now() - started;
      if (elapsed + (spec.seconds + 20) * 1000 > DEADLINE_MS) {
        skipped.push(spec.id);
        log(`skip ${spec.id}: time budget`);
        continue;
      }
      log(`cell ${spec.id}: ${spec.label} (${spec.targets.join(', ')}, ${spec.seconds} s)`);
      try {
        const r = await runCell(env, spec, source, bus);
        const al = (c: string): string => { const xs = [...(env.audioLagMs[c] ?? [])].sort((a, b) => a - b); return xs.length ? `${xs[Math.floor(xs.length / 2)]!.toFixed(0)} ms` : '-'; };
        log(`    encoder audio lag (emitted − capture) p50: aac ${al('aac')}, opus ${al('opus')}`);
        results.push(r);
        for (const t of r.results) {
          log(`    ${t.target.padEnd(13)} latency p50 ${t.latencyMs.p50.toFixed(0)} p95 ${t.latencyMs.p95.toFixed(0)} max ${t.latencyMs.max.toFixed(0)} ms; frames ${t.framesReceived}/${t.framesSent}; publisher p50 ${t.publisherMs.p50.toFixed(1)} ms; sent ${t.sentKbps.toFixed(0)} kbit/s${t.link ? `; R ${t.link.rateKbps.toFixed(0)} kbit/s U ${(t.link.utilization * 100).toFixed(0)} %` : ''}${t.errors.length ? `; errors: ${t.errors.join(' | ').slice(0, 200)}` : ''}`);
          const w = t.chromiumWindow;
          if (w) {
            const jb = (w.jitterBufferEmittedCount ?? 0) > 0 ? ((w.jitterBufferDelay ?? 0) / (w.jitterBufferEmittedCount ?? 1)) * 1000 : NaN;
            const jt = (w.jitterBufferEmittedCount ?? 0) > 0 ? ((w.jitterBufferTargetDelay ?? 0) / (w.jitterBufferEmittedCount ?? 1)) * 1000 : NaN;
            log(`    ${''.padEnd(13)} chromium (window): decoded ${w.framesDecoded} received ${w.framesReceived} dropped ${w.framesDropped} freezes ${w.freezeCount} (${(w.totalFreezesDuration ?? 0).toFixed(2)} s) nack ${w.nackCount} pli ${w.pliCount} rtx rx ${w.retransmittedPacketsReceived} lost ${w.packetsLost} jb ${jb.toFixed(0)} ms target ${jt.toFixed(0)} ms; presented ${t.chromium?.presented}; bad ${t.chromium?.bad} ${t.chromium?.lastError ?? ''}`);
          }
        }
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        failed.push({ id: spec.id, error: msg });
        log(`    FAILED: ${msg.slice(0, 300)}`);
      }
    }
    cleanups.splice(cleanups.indexOf(stopSource), 1);
    await stopSource();
  }
  const info: RunInfo = {
    date: new Date().toISOString(),
    totalSec: (Date.now() - started) / 1000,
    ffmpeg: `${ff.path} ${ff.version}`,
    cpu: cpus()[0]?.model ?? '?',
    cores: cpus().length,
    node: process.version,
    loadBefore,
    loadAfter: loadavg()[0]!,
    failed,
    skipped,
  };
  await cleanup();
  mkdirSync(OUT_DIR, { recursive: true });
  writeReport(OUT_DIR, info, results);
  printSummary(info, results);
  log(`done in ${info.totalSec.toFixed(0)} s; namespaces left: ${liveNetnsNames().length}`);
}

main().catch(async (e: unknown) => {
  process.stderr.write(`bench:compare failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  await cleanup();
  process.exitCode = 1;
});
