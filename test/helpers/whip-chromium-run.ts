// One measured WHIP run into Chromium, for integration tests: a strip clip (strip-clip.ts) played in
// real time into a WhipOutput, through the test's UDP relay (relay.ts) to Chromium in a
// namespace of the test's own (chromium-receiver.ts). After a warm-up (until Chromium decoded a
// frame, + `settleMs`), a window of `seconds` is measured:
//   - frames sent = clip frames emitted in the window; frames shown = those of them whose number
//     Chromium read from a decoded frame; latency = read time − emit time, per frame;
//   - Chromium's inbound-rtp counters over the window (freezes, NACKs, retransmissions, jitter
//     buffer), the output's stats at the end, and a sample of the controller every 500 ms.
import type { OutputStats } from '../../src/shared/stats';
import type { H264Config } from '../../src/main/protocol/media';
import { WhipOutput, type WhipOutputOptions } from '../../src/main/outputs/whip/whip-output';
import type { LaunchedNetnsChromium } from '../peers/chromium';
import { ChromiumReceiver, type InboundVideo, type ReceiverOptions } from './chromium-receiver';
import { UdpRelay, type Impairment } from './relay';
import { prng } from './prng';
import { ClipPlayer, loadClip, stripClip, type ClipOptions, type LoadedClip } from './strip-clip';

export const CLIP_720P: ClipOptions = { width: 1280, height: 720, fps: 30, kbps: 2500, seconds: 40, gop: 60 };

/** What feeds the output instead of a ClipPlayer (e.g. ladder-clip.ts's adaptive sink). */
export interface RunSource {
  config: H264Config;
  /** seq → wall-clock µs each frame was last emitted. */
  captured: ReadonlyMap<number, number>;
  /** Every emission [seq, µs], when the clip loops within a run (else `captured` is used). */
  emissions?: readonly (readonly [number, number])[];
  start(out: WhipOutput): void;
  stop(): void;
}

export interface RunOptions {
  chromium: LaunchedNetnsChromium;
  clip?: ClipOptions;
  source?: RunSource;
  impairment: Impairment;
  seed?: number;
  seconds: number;
  settleMs?: number;
  output?: Partial<WhipOutputOptions>;
  receiver?: Omit<ReceiverOptions, 'relay'>;
  /** Called once the output is live (e.g. to cap the link). */
  onLive?: (rx: ChromiumReceiver) => void | Promise<void>;
}

export interface RunSample {
  t: number;
  stats: OutputStats;
}

export interface RunResult {
  framesSent: number;
  framesShown: number;
  latencyMs: { p50: number; p95: number };
  /** inbound-rtp (video) over the window. */
  chromium: InboundVideo;
  output: OutputStats;
  samples: RunSample[];
  relay: UdpRelay['counts'];
  answer: string;
  /** Gaps over 150 ms between consecutive decoded frames in the window: [ms into the window, gap ms, frame number after the gap]. */
  gaps: [number, number, number][];
}

const MAX_LATENCY_MS = 5000;
const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]! : NaN;
};
const nowUs = (): number => Math.round((performance.timeOrigin + performance.now()) * 1000);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runWhipIntoChromium(o: RunOptions): Promise<RunResult> {
  const clipOpts = o.clip ?? CLIP_720P;
  const source = o.source ?? clipSource(loadClip(await stripClip(clipOpts), clipOpts));
  const { chromium } = o;
  const relay = new UdpRelay(undefined, o.impairment, chromium.netns.hostAddr, prng(o.seed ?? 7));
  await relay.listen();
  const rx = await ChromiumReceiver.open(chromium.browser, chromium.netns, { ...o.receiver, relay: { port: relay.port, setTarget: (t) => relay.setTarget(t) } });
  const out = new WhipOutput({ id: 'whip-chromium-run', url: rx.url, videoBitrateKbps: clipOpts.kbps, audioBitrateKbps: 64, iceAdditionalHostAddresses: ['127.0.0.1'], ...o.output });
  try {
    await out.start([source.config, { codec: 'opus', sampleRate: 48000, channels: 2 }]);
    source.start(out);
    await o.onLive?.(rx);
    for (let i = 0; i < 75 && rx.arrivals.length === 0; i++) {
      await rx.poll();
      await sleep(200);
    }
    if (rx.arrivals.length === 0) throw new Error(`Chromium decoded nothing in 15 s (${JSON.stringify((await rx.stats()).inbound)})`);
    await sleep(o.settleMs ?? 1000);
    const s0 = (await rx.stats()).inbound;
    const fromUs = nowUs();
    const t0 = performance.now();
    const samples: RunSample[] = [];
    while (performance.now() - t0 < o.seconds * 1000) {
      await sleep(500);
      await rx.poll();
      samples.push({ t: (performance.now() - t0) / 1000, stats: out.stats() });
    }
    const toUs = nowUs();
    const s1 = (await rx.stats()).inbound;
    const output = out.stats();
    await sleep(2000); // frames in flight at the window's end still count
    await rx.poll();
    // The clip loops: a frame number is matched to its first reading after it was emitted.
    const readings = new Map<number, number[]>();
    for (const a of rx.arrivals) (readings.get(a.seq) ?? readings.set(a.seq, []).get(a.seq)!).push(a.atUs);
    let framesSent = 0;
    const lat: number[] = [];
    for (const [seq, at] of source.emissions ?? source.captured) {
      if (at < fromUs || at >= toUs) continue;
      framesSent++;
      // A reading more than MAX_LATENCY_MS later is a later loop's (or too late to count as shown).
      const shown = readings.get(seq)?.find((t) => t > at && t - at < MAX_LATENCY_MS * 1000);
      if (shown !== undefined) lat.push((shown - at) / 1000);
    }
    const chromiumWindow: InboundVideo = {};
    for (const [k, v] of Object.entries(s1) as [keyof InboundVideo, number][]) chromiumWindow[k] = v - (s0[k] ?? 0);
    const gaps: [number, number, number][] = [];
    const inWindow = rx.arrivals.filter((a) => a.atUs >= fromUs && a.atUs < toUs);
    for (let i = 1; i < inWindow.length; i++) {
      const g = (inWindow[i]!.atUs - inWindow[i - 1]!.atUs) / 1000;
      if (g > 150) gaps.push([Math.round((inWindow[i - 1]!.atUs - fromUs) / 1000), Math.round(g), inWindow[i]!.seq]);
    }
    return { gaps, framesSent, framesShown: lat.length, latencyMs: { p50: quantile(lat, 0.5), p95: quantile(lat, 0.95) }, chromium: chromiumWindow, output, samples, relay: { ...relay.counts }, answer: rx.answer };
  } finally {
    source.stop();
    await out.stop().catch(() => undefined);
    await rx.close();
    await relay.close();
  }
}

function clipSource(clip: LoadedClip): RunSource {
  const player = new ClipPlayer(clip, { opus: true });
  return {
    config: clip.config,
    captured: player.captured,
    start: (out) => {
      player.onPacket((p) => out.write(p));
      player.start();
    },
    stop: () => player.stop(),
  };
}
