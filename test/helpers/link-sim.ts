// A deterministic, seeded link simulator for the bandwidth estimator, in simulated time (no timers,
// no sleeps). A sender at the estimator's target (30 fps video with a keyframe burst every 2 s,
// paced at target × pacing factor; 50 pps audio unpaced; an SR every second) goes through a
// bottleneck: random loss, then a drop-tail FIFO served at the capacity (which may change over
// time), bounded in queueing delay and bytes, then propagation delay and optional jitter. The
// receiver answers with real RTCP bytes (./rtcp-writer.ts) that the sender parses: transport-wide
// CC feedback every 50-100 ms (mode 'twcc'), an RR every second, a REMB every 500 ms if set.
import { SendSideBandwidthEstimator, type BweOptions, type BweTarget } from '../../src/main/protocol/cc/estimator';
import { parseRtcpFeedback } from '../../src/main/protocol/cc/rtcp';
import { writeRemb, writeRr, writeTwcc } from './rtcp-writer';
import { prng } from './prng';


export type Schedule = number | ((tMs: number) => number);

export interface LinkSimOptions {
  seed: number;
  durationMs: number;
  capacityBps: Schedule;
  estimator: Omit<BweOptions, 'transportCc'>;
  /** 'twcc': transport-wide feedback + RRs; 'rr': RRs only (the server negotiated no transport-cc). */
  feedback?: 'twcc' | 'rr';
  propagationMs?: number;
  /** Drop-tail bounds of the bottleneck queue. */
  queueMs?: number;
  queueBytes?: number;
  lossRate?: number;
  jitterMs?: number;
  /** Probability that one feedback packet (TWCC/RR/REMB) is lost on the way back. */
  feedbackLoss?: number;
  rembBps?: (tMs: number) => number | undefined;
  /** Receiver report interval (default 1000 ms). */
  rrIntervalMs?: number;
  keyframeFactor?: number;
  /** First transport-wide sequence number (default near the 16-bit wrap). */
  firstSeq?: number;
  /** Receiver clock − sender clock, ms (default: the 24-bit reference time wraps 2 s in). */
  clockOffsetMs?: number;
  record?: boolean;
}

export interface SimSample {
  tMs: number;
  targetBps: number;
  capacityBps: number;
  queueDelayMs: number;
  target: BweTarget;
}

/** What the estimator was fed, replayable (test/fixtures/cc). */
export type RecordedEvent = ['s', number, number, number] | ['n', number, number] | ['r', number, string];

export interface SimResult {
  samples: SimSample[];
  sent: number;
  lostRandom: number;
  droppedQueue: number;
  feedbackPackets: number;
  rtcpErrors: number;
  events: RecordedEvent[];
  estimator: SendSideBandwidthEstimator;
}

interface Ev {
  t: number;
  order: number;
  run: () => void;
}

/** A binary min-heap on (time, insertion order): deterministic event order. */
class EventQueue {
  private readonly h: Ev[] = [];
  private order = 0;
  push(t: number, run: () => void): void {
    const h = this.h;
    const ev = { t, order: this.order++, run };
    let i = h.length;
    h.push(ev);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p]!;
      if (less(parent, ev)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = ev;
  }
  pop(): Ev | undefined {
    const h = this.h;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && less(h[r]!, h[l]!) ? r : l;
        if (!less(h[c]!, last)) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}
function less(a: Ev, b: Ev): boolean {
  return a.t < b.t || (a.t === b.t && a.order < b.order);
}

const FPS = 30;
const GOP_FRAMES = 60;
const MTU = 1200;
const AUDIO_BYTES = 100;
const AUDIO_MS = 20;
const VIDEO_SSRC = 0x1234;
const NTP_BASE_S = 3_900_000_000;

function at(s: Schedule, t: number): number {
  return typeof s === 'number' ? s : s(t);
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

export function ntpMiddleAt(tMs: number): number {
  return Math.floor((NTP_BASE_S + tMs / 1000) * 65536) % 2 ** 32;
}

export function runLinkSim(o: LinkSimOptions): SimResult {
  const rand = prng(o.seed);
  const mode = o.feedback ?? 'twcc';
  const est = new SendSideBandwidthEstimator({ ...o.estimator, transportCc: mode === 'twcc' });
  const q = new EventQueue();
  const prop = o.propagationMs ?? 20;
  const queueMs = o.queueMs ?? 300;
  const queueBytes = o.queueBytes ?? Infinity;
  const offsetMs = o.clockOffsetMs ?? 2 ** 24 * 64 - 2000;
  const kf = o.keyframeFactor ?? 4;
  const res: SimResult = { samples: [], sent: 0, lostRandom: 0, droppedQueue: 0, feedbackPackets: 0, rtcpErrors: 0, events: [], estimator: est };
  const rec = (e: RecordedEvent): void => void (o.record && res.events.push(e));

  // Link state.
  let busyUntil = 0;
  const inQueue: { leave: number; bytes: number }[] = [];
  let inQueueHead = 0;
  let queued = 0;
  // Receiver state.
  const arrivals = new Map<number, number>(); // unwrapped transport seq → receiver µs
  let nextBase: number | undefined;
  let pruned: number | undefined;
  let highest = -1;
  let lowestNew = Infinity;
  let fbCount = 0;
  let rtpHighest = -1;
  let rtpReceived = 0;
  let rtpFirst = -1;
  let priorExpected = 0;
  let priorReceived = 0;
  let jitter = 0;
  let lastTransit: number | undefined;
  let lastSr: { mid: number; at: number } | undefined;
  // Sender state.
  let seq = o.firstSeq ?? 65_000;
  let rtpSeq = 0;
  let pacerFree = 0;

  const deliver = (t: number, bytes: Uint8Array): void => {
    res.feedbackPackets++;
    if (o.feedbackLoss && rand() < o.feedbackLoss) return;
    q.push(t + prop, () => {
      rec(['r', t + prop, hex(bytes)]);
      const parsed = parseRtcpFeedback(bytes);
      res.rtcpErrors += parsed.errors.length;
      for (const item of parsed.feedback) est.onRtcp(item, t + prop);
    });
  };

  const enqueue = (t: number, bytes: number, onArrive: (arrivalMs: number) => void): void => {
    if (o.lossRate && rand() < o.lossRate) {
      res.lostRandom++;
      return;
    }
    while (inQueueHead < inQueue.length && inQueue[inQueueHead]!.leave <= t) queued -= inQueue[inQueueHead++]!.bytes;
    if (inQueueHead > 4096) {
      inQueue.splice(0, inQueueHead);
      inQueueHead = 0;
    }
    const start = Math.max(t, busyUntil);
    if (start - t > queueMs || queued + bytes > queueBytes) {
      res.droppedQueue++;
      return;
    }
    busyUntil = start + (bytes * 8 * 1000) / at(o.capacityBps, start);
    inQueue.push({ leave: busyUntil, bytes });
    queued += bytes;
    const arrival = busyUntil + prop + (o.jitterMs ? rand() * o.jitterMs : 0);
    q.push(arrival, () => onArrive(arrival));
  };

  const sendMedia = (t: number, bytes: number, video: { rtpSeq: number; rtpTs: number } | undefined): void => {
    const u = seq++;
    est.onPacketSent(u & 0xffff, t, bytes);
    rec(['s', t, u & 0xffff, bytes]);
    res.sent++;
    enqueue(t, bytes, (arr) => {
      arrivals.set(u, (arr + offsetMs) * 1000);
      highest = Math.max(highest, u);
      lowestNew = Math.min(lowestNew, u);
      nextBase ??= u;
      if (!video) return;
      if (rtpFirst < 0) rtpFirst = video.rtpSeq;
      rtpHighest = Math.max(rtpHighest, video.rtpSeq);
      rtpReceived++;
      // RFC 3550 A.8 interarrival jitter, 90 kHz.
      const transit = arr * 90 - video.rtpTs;
      if (lastTransit !== undefined) jitter += (Math.abs(transit - lastTransit) - jitter) / 16;
      lastTransit = transit;
    });
  };

  const frame = (i: number): void => {
    const t = (i * 1000) / FPS;
    if (t >= o.durationMs) return;
    q.push(((i + 1) * 1000) / FPS, () => frame(i + 1));
    const target = est.target();
    const videoBps = Math.max(50_000, target.bitrateBps - (AUDIO_BYTES * 8 * 1000) / AUDIO_MS);
    const key = i % GOP_FRAMES === 0;
    const frameBytes = ((videoBps / FPS / 8) * (key ? kf : 1) * GOP_FRAMES) / (GOP_FRAMES - 1 + kf);
    const n = Math.max(1, Math.ceil(frameBytes / MTU));
    const size = Math.max(60, Math.round(frameBytes / n));
    for (let k = 0; k < n; k++) {
      const sendAt = Math.max(t, pacerFree);
      pacerFree = sendAt + (size * 8 * 1000) / target.pacingRateBps;
      const video = { rtpSeq: rtpSeq++, rtpTs: i * 3000 };
      q.push(sendAt, () => sendMedia(sendAt, size, video));
    }
  };

  const audio = (t: number): void => {
    if (t >= o.durationMs) return;
    q.push(t + AUDIO_MS, () => audio(t + AUDIO_MS));
    sendMedia(t, AUDIO_BYTES, undefined);
  };

  const senderReport = (t: number): void => {
    if (t >= o.durationMs) return;
    q.push(t + 1000, () => senderReport(t + 1000));
    const mid = ntpMiddleAt(t);
    est.onSenderReportSent(mid, t);
    rec(['n', t, mid]);
    enqueue(t, 52, (arr) => (lastSr = { mid, at: arr }));
  };

  const twcc = (t: number): void => {
    if (t >= o.durationMs) return;
    const next = t + 50 + rand() * 50;
    q.push(next, () => twcc(next));
    if (nextBase === undefined || highest < nextBase) return;
    const base = Math.min(nextBase, lowestNew);
    const arrivalsUs: (number | null)[] = [];
    for (let u = base; u <= highest; u++) arrivalsUs.push(arrivals.get(u) ?? null);
    deliver(t, writeTwcc({ baseSeq: base & 0xffff, feedbackCount: fbCount++, arrivalsUs, mediaSsrc: VIDEO_SSRC }));
    pruned ??= base;
    for (; pruned < base - 2000; pruned++) arrivals.delete(pruned);
    nextBase = highest + 1;
    lowestNew = Infinity;
  };

  const receiverReport = (t: number): void => {
    if (t >= o.durationMs) return;
    const next = t + (o.rrIntervalMs ?? 1000);
    q.push(next, () => receiverReport(next));
    if (rtpFirst < 0) return;
    const expected = rtpHighest - rtpFirst + 1;
    const expInt = expected - priorExpected;
    const lostInt = expInt - (rtpReceived - priorReceived);
    priorExpected = expected;
    priorReceived = rtpReceived;
    deliver(t, writeRr([{
      ssrc: VIDEO_SSRC,
      fractionLost: expInt === 0 || lostInt <= 0 ? 0 : Math.floor((lostInt * 256) / expInt),
      cumulativeLost: Math.min(0x7fffff, expected - rtpReceived),
      highestSeq: rtpHighest >>> 0,
      jitter: Math.round(jitter) >>> 0,
      lsr: lastSr?.mid ?? 0,
      dlsr: lastSr ? Math.round(((t - lastSr.at) / 1000) * 65536) : 0,
    }]));
  };

  const remb = (t: number): void => {
    if (t >= o.durationMs || !o.rembBps) return;
    q.push(t + 500, () => remb(t + 500));
    const v = o.rembBps(t);
    if (v !== undefined) deliver(t, writeRemb(v, [VIDEO_SSRC]));
  };

  const sample = (t: number): void => {
    if (t > o.durationMs) return;
    q.push(t + 100, () => sample(t + 100));
    const target = est.target();
    res.samples.push({ tMs: t, targetBps: target.bitrateBps, capacityBps: at(o.capacityBps, t), queueDelayMs: Math.max(0, busyUntil - t), target });
  };

  q.push(0, () => frame(0));
  q.push(0, () => audio(0));
  q.push(0, () => senderReport(0));
  if (mode === 'twcc') q.push(60, () => twcc(60));
  q.push(o.rrIntervalMs ?? 1000, () => receiverReport(o.rrIntervalMs ?? 1000));
  q.push(250, () => remb(250));
  q.push(0, () => sample(0));
  for (let ev = q.pop(); ev; ev = q.pop()) ev.run();
  return res;
}
