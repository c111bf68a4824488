// One measured cell: a network condition, one running encoder (the same encoded stream for every
// output), and up to three outputs fed by one PacketBus:
//   rtmp          RtmpOutput → nginx-rtmp (its own namespace) ← ffmpeg player (RTMP play), decoded
//   whip-janus    WhipOutput → Janus (its own namespace) → RTP forward → ffmpeg, decoded
//   whip-chromium WhipOutput → harness endpoint ↔ Chromium RTCPeerConnection, <video>
// Conditions: none (loopback/veth), a tbf cap on both namespaces' links, or an impairment relay
// (test/helpers/relay.ts) in front of nginx (TCP) and Chromium (UDP).
import type { Browser } from 'playwright-core';
import type { ChromiumNetns } from '../../test/peers/chromium';
import { RtmpOutput } from '../../src/main/outputs/rtmp/rtmp-output';
import { WhipOutput } from '../../src/main/outputs/whip/whip-output';
import type { Output } from '../../src/main/outputs/output';
import type { Codec } from '../../src/main/protocol/media';
import type { PacketBus } from '../../src/main/pipeline/packet-bus';
import type { OutputStats } from '../../src/shared/stats';
import { nowUs } from '../../src/main/encoder/timestamps';
import { reserveRtpPorts } from '../../test/peers/rtp-receiver';
import type { WhipServer } from '../../test/peers/janus';
import { sleep } from '../../test/peers/ports';
import { ChromiumReceiver, type ChromiumRxStats, type InboundVideo } from '../../test/helpers/chromium-receiver';
import { FfmpegReader, type Arrival } from './readers';
import { TcpRelay, UdpRelay, type Impairment } from '../../test/helpers/relay';
import { qdiscCounters, setCap, type NsNginx, type QdiscCounters } from '../../test/peers/shaped';
import type { StripSource } from './source';
import type { WireTap, WireRecord } from './wire-tap';
import { dist, latencySeries, medianIn, round, type Dist } from './metrics';

/** The one encoder group of a bench run (index.ts makes it over the strip source's ffmpeg). */
export const GROUP = 'g1';

export type TargetKind = 'rtmp' | 'whip-janus' | 'whip-chromium';

export interface CellSpec {
  id: string;
  group: 'baseline' | 'throughput' | 'impairment';
  label: string;
  streamKbps: number;
  capMbit?: number;
  impairment?: Impairment & { outageMs?: number; outageAtSec?: number };
  seconds: number;
  targets: TargetKind[];
}

export interface Env {
  ffmpeg: string;
  browser: Browser | undefined;
  /** The namespace Chromium runs in (launchChromiumInNetns), with `browser`. */
  chromiumNetns: ChromiumNetns | undefined;
  nginx: NsNginx;
  whip: WhipServer;
  tap: WireTap;
  tmpDir: string;
  /** fingerprint → {pts (= capture time), emitted}, µs: every video packet the encoder emitted. */
  emitted: Map<string, { ptsUs: number; emitUs: number }>;
  /** Encoder audio packets: emitted − pts (capture time), ms, per codec. */
  audioLagMs: Record<string, number[]>;
  log(line: string): void;
}

export interface TargetResult {
  target: TargetKind;
  receiver: string;
  latencyMs: Dist;
  framesSent: number;
  framesReceived: number;
  /** Encoder packet emitted → socket write (RTMP) / last RTP packet sent (WHIP), ms. */
  publisherMs: Dist;
  /** Capture (pushVideoFrame) → encoder packet emitted, ms. */
  encoderMs: Dist;
  /** R at the publisher: Δ stats().bytesSent × 8 ÷ T, kbit/s. */
  sentKbps: number;
  link?: { capMbit: number; rateKbps: number; utilization: number; tbfDrops: number; tbfPackets: number };
  framesDropped: number;
  queueMsMax: number;
  queueMsEnd: number;
  reconnects: number;
  latencyFirstThirdMs: number;
  latencyLastThirdMs: number;
  recovery?: { outageMs: number; firstFreshFrameMs: number; settledMs: number; framesLostAroundOutage: number };
  relay?: { forwarded: number; dropped: number; stalls: number; connections: number };
  whip?: { nacks: number; retransmits: number; plis: number; rttMs: number | undefined };
  chromium?: ChromiumRxStats;
  /** Chromium's inbound-rtp counters over the measuring window (end − start). */
  chromiumWindow?: InboundVideo;
  decoder?: { decoded: number; unreadable: number };
  series: [number, number][];
  queueSeries: [number, number][];
  errors: string[];
}

export interface CellResult {
  spec: CellSpec;
  windowSec: number;
  framesCaptured: number;
  results: TargetResult[];
}

interface Running {
  kind: TargetKind;
  receiver: string;
  output: Output;
  arrivals: () => Arrival[];
  stop: () => Promise<void>;
  ffmpeg?: FfmpegReader;
  chromium?: ChromiumReceiver;
  tcp?: TcpRelay;
  udp?: UdpRelay;
  dev?: string;
  peer?: () => object | undefined;
  errors: string[];
  samples: { t: number; s: OutputStats }[];
}

let keyCounter = 0;

/** The WhipPeer of the output's live session (OutputBase keeps it private as `conn`). */
function peerOf(out: WhipOutput): object | undefined {
  return (out as unknown as { conn?: { peer?: object } }).conn?.peer;
}

/** peerOf, remembering the last live session's peer (the tap's records are keyed by it; read after stop). */
function lastPeer(out: WhipOutput): () => object | undefined {
  let last: object | undefined;
  return () => (last = peerOf(out) ?? last);
}

function videoPtOf(out: WhipOutput): number | undefined {
  const peer = peerOf(out) as { video?: { codec?: { payloadType?: number } } } | undefined;
  return peer?.video?.codec?.payloadType;
}

async function setUp(env: Env, spec: CellSpec, kind: TargetKind, bus: PacketBus): Promise<Running> {
  const key = `bench${process.pid}x${++keyCounter}`;
  const errors: string[] = [];
  const imp = spec.impairment;
  if (kind === 'rtmp') {
    let tcp: TcpRelay | undefined;
    let url = env.nginx.url(key);
    if (imp) {
      tcp = new TcpRelay({ host: env.nginx.host, port: env.nginx.port }, imp);
      url = `rtmp://127.0.0.1:${await tcp.listen()}/live/${key}`;
    }
    const output = new RtmpOutput({ id: `rtmp-${key}`, url, videoBitrateKbps: spec.streamKbps, audioBitrateKbps: 96, connectTimeoutMs: 10_000 });
    output.on('error', (e) => errors.push(e.message));
    // The player joins once the publisher is live: nginx-rtmp then sends it the metadata and the
    // codec headers first (a player waiting before publish saw no video stream when probing).
    const holder = await addThenRead(bus, output, ['h264', 'aac'], 15_000, () => FfmpegReader.rtmp('rtmp', env.ffmpeg, env.nginx.url(key)));
    const r: Running = {
      kind, receiver: 'nginx-rtmp → ffmpeg (RTMP play)', output, errors, samples: [], dev: env.nginx.netns.hostIf,
      arrivals: () => holder.ffmpeg?.arrivals ?? [],
      stop: async () => {
        await bus.remove(output.id);
        await holder.ffmpeg?.stop();
        await tcp?.close();
      },
    };
    if (holder.ffmpeg) r.ffmpeg = holder.ffmpeg;
    else errors.push('RTMP output did not start within 15 s');
    if (tcp) r.tcp = tcp;
    return r;
  }
  if (kind === 'whip-janus') {
    const host = env.whip.recipientHost;
    const ports = await reserveRtpPorts({ audio: false, host });
    const token = `t${key}`;
    const url = await env.whip.createEndpoint({ id: key, token, recipient: { host, videoPort: ports.videoPort } });
    const output = new WhipOutput({ id: `whip-janus-${key}`, url, token, videoBitrateKbps: spec.streamKbps, audioBitrateKbps: 96 });
    output.on('error', (e) => errors.push(e.message));
    // The negotiated payload type is known only once the output is live.
    const holder = await addThenRead(bus, output, ['h264', 'opus'], 20_000, () =>
      FfmpegReader.rtp('whip-janus', env.ffmpeg, env.tmpDir, host, ports.videoPort, videoPtOf(output) ?? 96),
    );
    const r: Running = {
      kind, receiver: 'Janus → RTP forward → ffmpeg', output, errors, samples: [], dev: env.whip.janus.netns.hostIf,
      arrivals: () => holder.ffmpeg?.arrivals ?? [],
      peer: lastPeer(output),
      stop: async () => {
        await bus.remove(output.id);
        await holder.ffmpeg?.stop();
        await env.whip.deleteEndpoint(key).catch(() => undefined);
      },
    };
    if (holder.ffmpeg) r.ffmpeg = holder.ffmpeg;
    else errors.push('WHIP to Janus did not start within 20 s');
    return r;
  }
  let udp: UdpRelay | undefined;
  if (imp) {
    // upstream sockets on hostAddr: the only address Chromium in its namespace can answer to
    if (!env.chromiumNetns) throw new Error('whip-chromium needs Chromium in a namespace');
    udp = new UdpRelay({ host: env.chromiumNetns.nsAddr, port: 9 }, imp, env.chromiumNetns.hostAddr);
    await udp.listen();
  }
  const u = udp;
  if (!env.browser || !env.chromiumNetns) throw new Error('whip-chromium needs Chromium (launchChromiumInNetns)');
  const rx = await ChromiumReceiver.open(env.browser, env.chromiumNetns, {
    ...(u ? { relay: { port: u.port, setTarget: (t) => u.setTarget(t) } } : {}),
    render: process.env['BENCH_PRESENTED'] === '1',
  });
  const output = new WhipOutput({ id: `whip-chromium-${key}`, url: rx.url, videoBitrateKbps: spec.streamKbps, audioBitrateKbps: 96, iceAdditionalHostAddresses: ['127.0.0.1'] });
  output.on('error', (e) => errors.push(e.message));
  bus.add(output, { group: GROUP, codecs: ['h264', 'opus'] });
  const r: Running = {
    kind, receiver: 'Chromium RTCPeerConnection → <video>', output, chromium: rx, errors, samples: [],
    arrivals: () => rx.arrivals,
    peer: lastPeer(output),
    stop: async () => {
      await bus.remove(output.id);
      await rx.close();
      await u?.close();
    },
  };
  if (u) r.udp = u;
  return r;
}

/** BENCH_TRACE=1: the congestion controller's state, for debugging runs (not in the report). */
function traceLine(r: Running): string {
  const peer = r.peer?.() as { congestion?: { target(): Record<string, unknown> } } | undefined;
  const t = peer?.congestion?.target();
  const s = r.samples[r.samples.length - 1]?.s;
  const k = (x: unknown): string => (typeof x === 'number' ? (x / 1000).toFixed(0) : '-');
  if (!t || !s) return '';
  return `sent ${s.bitrateKbps.toFixed(0)} target ${k(t['bitrateBps'])} ${String(t['reason'])} Ad ${k(t['delayBased'])} As ${k(t['lossBased'])} acked ${k(t['acked'])} q ${Number(t['queueDelayMs'] ?? NaN).toFixed(0)} rtt ${Number(t['rttMs'] ?? NaN).toFixed(0)} loss ${Number(t['lossFraction']).toFixed(3)} backlog ${s.backlogMs ?? '-'} drops ${s.framesDropped} nacks ${s.nacks ?? 0} retx ${s.retransmits ?? 0}`;
}

function shareFrom(env: Env, records: readonly WireRecord[], fromUs: number, toUs: number): Dist {
  const xs: number[] = [];
  for (const r of records) {
    const e = env.emitted.get(r.fp);
    if (!e || e.ptsUs < fromUs || e.ptsUs >= toUs) continue;
    xs.push((r.atUs - e.emitUs) / 1000);
  }
  return dist(xs);
}

function encoderShare(env: Env, fromUs: number, toUs: number): Dist {
  const xs: number[] = [];
  for (const e of env.emitted.values()) if (e.ptsUs >= fromUs && e.ptsUs < toUs) xs.push((e.emitUs - e.ptsUs) / 1000);
  return dist(xs);
}

export async function runCell(env: Env, spec: CellSpec, source: StripSource, bus: PacketBus): Promise<CellResult> {
  const devs = [env.nginx.netns.hostIf, env.whip.janus.netns.hostIf];
  for (const d of devs) setCap(d, spec.capMbit);
  env.tap.clear();
  const running: Running[] = [];
  const offErr = bus.on('outputError', (id, err) => {
    const r = running.find((x) => x.output.id === id);
    if (r) r.errors.push(`output: ${err.message}`);
    else env.log(`    output ${id}: ${err.message}`);
  });
  const once = (r: Running): void => {
    const stop = r.stop;
    let p: Promise<void> | undefined;
    r.stop = () => (p ??= stop());
  };
  try {
    for (const kind of spec.targets) {
      const r = await setUp(env, spec, kind, bus);
      once(r);
      running.push(r);
    }
    // Warm-up: until every receiver has read a frame (the first keyframe), at most 10 s.
    const warmEnd = Date.now() + 10_000;
    while (Date.now() < warmEnd) {
      for (const r of running) await r.chromium?.poll();
      if (running.every((r) => r.arrivals().length > 0)) break;
      await sleep(200);
    }
    await sleep(1000);
    const fromUs = nowUs();
    const tc0 = new Map<string, QdiscCounters>();
    if (spec.capMbit !== undefined) for (const d of devs) tc0.set(d, qdiscCounters(d));
    const base = new Map(running.map((r) => [r, r.output.stats()] as const));
    const chromeBase = new Map<Running, InboundVideo>();
    for (const r of running) if (r.chromium) chromeBase.set(r, (await r.chromium.stats().catch(() => undefined))?.inbound ?? {});
    const t0 = performance.now();
    const outageAt = spec.impairment?.outageMs ? (spec.impairment.outageAtSec ?? 6) * 1000 : undefined;
    let outageStartUs: number | undefined;
    while (performance.now() - t0 < spec.seconds * 1000) {
      if (outageAt !== undefined && outageStartUs === undefined && performance.now() - t0 >= outageAt) {
        outageStartUs = nowUs();
        for (const r of running) {
          r.tcp?.outage(spec.impairment!.outageMs!);
          r.udp?.outage(spec.impairment!.outageMs!);
        }
        env.log(`    outage ${spec.impairment!.outageMs} ms`);
      }
      const t = (performance.now() - t0) / 1000;
      for (const r of running) {
        r.samples.push({ t, s: r.output.stats() });
        r.peer?.(); // remembers the live session's peer: the tap's WHIP records are keyed by it
        if (process.env['BENCH_TRACE'] === '1' && r.kind !== 'rtmp') env.log(`      ${r.kind} t=${t.toFixed(1)} ${traceLine(r)}`);
        await r.chromium?.poll();
      }
      await sleep(500);
    }
    const toUs = nowUs();
    const windowSec = (toUs - fromUs) / 1e6;
    const tc1 = new Map<string, QdiscCounters>();
    if (spec.capMbit !== undefined) for (const d of devs) tc1.set(d, qdiscCounters(d));
    const end = new Map(running.map((r) => [r, r.output.stats()] as const));
    const chromeEnd = new Map<Running, InboundVideo>();
    for (const r of running) if (r.chromium) chromeEnd.set(r, (await r.chromium.stats().catch(() => undefined))?.inbound ?? {});
    await sleep(2500); // frames in flight at the window's end still count
    const chromeStats = new Map<Running, ChromiumRxStats>();
    for (const r of running) {
      if (!r.chromium) continue;
      await r.chromium.poll();
      const cs: ChromiumRxStats = await r.chromium.stats().catch(() => ({ inbound: {}, decoded: 0, bad: 0, presented: 0, lastError: '', state: 'unknown', pairs: [] }));
      chromeStats.set(r, cs);
      // media must have used the test link only (nsAddr ↔ hostAddr), never eth0's address. Every
      // address shown must be nsAddr, hostAddr or loopback (a local prflx 127.0.0.1 is the relay's
      // public port as werift saw it); a remote prflx address is redacted by Chromium.
      const ns = env.chromiumNetns;
      const okAddr = (a: string): boolean => !!ns && (a === ns.nsAddr || a === ns.hostAddr || a.startsWith('127.') || a === '(redacted)');
      const offLink = (cs.pairs ?? []).filter((p) => !p.split(' <- ').every((side) => okAddr(side.split(' ')[1] ?? '')));
      if (offLink.length) r.errors.push(`Chromium ICE pair off the test link: ${offLink.join(', ')}`);
    }
    for (const r of running) await r.stop().catch((e: unknown) => r.errors.push(String(e)));

    let framesCaptured = 0;
    for (const cap of source.captured.values()) if (cap >= fromUs && cap < toUs) framesCaptured++;
    const results: TargetResult[] = running.map((r) => {
      const ser = latencySeries(source.captured, r.arrivals(), fromUs, toUs);
      const lat = dist(ser.points.map(([, l]) => l));
      const b = base.get(r)!;
      const e = end.get(r)!;
      const records = r.kind === 'rtmp' ? [...env.tap.rtmp.values()].flat() : (() => {
        const p = r.peer?.();
        return p ? env.tap.whip.get(p) ?? [] : [];
      })();
      const third = windowSec / 3;
      const res: TargetResult = {
        target: r.kind,
        receiver: r.receiver,
        latencyMs: lat,
        framesSent: ser.framesSent,
        framesReceived: ser.framesReceived,
        publisherMs: shareFrom(env, records, fromUs, toUs),
        encoderMs: encoderShare(env, fromUs, toUs),
        sentKbps: ((e.bytesSent - b.bytesSent) * 8) / windowSec / 1000,
        framesDropped: e.framesDropped - b.framesDropped,
        queueMsMax: Math.max(0, ...r.samples.map((x) => x.s.queueMs)),
        queueMsEnd: e.queueMs,
        reconnects: e.reconnects,
        latencyFirstThirdMs: medianIn(ser.points, 0, third),
        latencyLastThirdMs: medianIn(ser.points, 2 * third, windowSec + 1),
        series: ser.points.map(([t, l]) => [round(t, 3), round(l, 1)]),
        queueSeries: r.samples.map((x) => [round(x.t, 2), x.s.queueMs]),
        errors: r.errors.slice(0, 5),
      };
      if (r.dev && spec.capMbit !== undefined) {
        const a = tc0.get(r.dev);
        const z = tc1.get(r.dev);
        if (a && z) {
          const rateKbps = ((z.bytes - a.bytes) * 8) / windowSec / 1000;
          res.link = { capMbit: spec.capMbit, rateKbps, utilization: rateKbps / (spec.capMbit * 1000), tbfDrops: z.drops - a.drops, tbfPackets: z.packets - a.packets };
        }
      }
      if (r.kind !== 'rtmp') res.whip = { nacks: (e.nacks ?? 0) - (b.nacks ?? 0), retransmits: (e.retransmits ?? 0) - (b.retransmits ?? 0), plis: (e.plis ?? 0) - (b.plis ?? 0), rttMs: e.rttMs };
      const cs = chromeStats.get(r);
      if (cs) {
        res.chromium = cs;
        const b0 = chromeBase.get(r) ?? {};
        const w: InboundVideo = {};
        for (const [k, v] of Object.entries(chromeEnd.get(r) ?? {}) as [keyof InboundVideo, number][]) w[k] = round(v - (b0[k] ?? 0), 3);
        res.chromiumWindow = w;
      }
      if (r.ffmpeg) {
        res.decoder = { decoded: r.ffmpeg.decoded, unreadable: r.ffmpeg.bad };
        const lines = r.ffmpeg.stderr.split('\n').filter((l) => l.trim() && !l.includes('non monotonically increasing dts'));
        if (lines.length) res.errors.push(`decoder: ${lines.slice(-3).join(' / ')}`);
      }
      const relay = r.tcp ?? r.udp;
      if (relay) res.relay = { ...relay.counters };
      if (outageStartUs !== undefined && spec.impairment?.outageMs) {
        const outEndRel = (outageStartUs - fromUs) / 1e6 + spec.impairment.outageMs / 1000;
        const before = ser.points.filter(([t]) => t < (outageStartUs - fromUs) / 1e6 - 0.5).map(([, l]) => l).sort((x, y) => x - y);
        const settleAt = (before[Math.floor(before.length * 0.95)] ?? 0) + 50;
        const fresh = ser.points.find(([t]) => t >= outEndRel);
        const firstFresh = fresh ? fresh[0] + fresh[1] / 1000 - outEndRel : NaN;
        // settled: from the outage end, the first frame after which every frame stays under p95(before)+50 ms
        let settled = NaN;
        const after = ser.points.filter(([t, l]) => t + l / 1000 >= outEndRel);
        for (let i = 0; i < after.length; i++) {
          if (after.slice(i).every(([, l]) => l <= settleAt)) {
            settled = after[i]![0] + after[i]![1] / 1000 - outEndRel;
            break;
          }
        }
        const capturedAround = ser.framesSent;
        res.recovery = { outageMs: spec.impairment.outageMs, firstFreshFrameMs: firstFresh * 1000, settledMs: settled * 1000, framesLostAroundOutage: capturedAround - ser.framesReceived };
      }
      return res;
    });
    return { spec, windowSec, framesCaptured, results };
  } finally {
    offErr();
    for (const r of running) await r.stop().catch(() => undefined);
    for (const d of devs) {
      try {
        setCap(d, undefined);
      } catch {
        // namespace already gone
      }
    }
  }
}

/**
 * Adds an output to the bus and starts its far-end reader as soon as the output is live; waits at
 * most `ms`. `holder.ffmpeg` stays unset when the output did not start in time.
 */
async function addThenRead(
  bus: PacketBus,
  output: Output,
  codecs: Codec[],
  ms: number,
  startReader: () => FfmpegReader,
): Promise<{ ffmpeg?: FfmpegReader }> {
  const holder: { ffmpeg?: FfmpegReader } = {};
  const started = new Promise<void>((resolve) => {
    const off = output.on('state', (st) => {
      if (st !== 'live') return;
      off();
      holder.ffmpeg = startReader();
      resolve();
    });
  });
  bus.add(output, { group: GROUP, codecs });
  await Promise.race([started, sleep(ms)]);
  return holder;
}
