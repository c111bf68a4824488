// Recorded feedback sequences (test/fixtures/cc/*.json): what an estimator was fed in a link
// simulation (sends, SR times, and the RTCP bytes the receiver returned), replayed open-loop into
// a fresh estimator. The sends no longer follow the new estimator's target, so the checks are about
// its reaction to the recorded congestion, not exact numbers. Regenerate with
//   RECORD_CC_FIXTURES=1 npx vitest run test/unit/protocol/cc/replay.test.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SendSideBandwidthEstimator, type BweOptions, type BweTarget } from '../../../../src/main/protocol/cc/estimator';
import { parseRtcpFeedback } from '../../../../src/main/protocol/cc/rtcp';
import { runLinkSim, type LinkSimOptions, type RecordedEvent } from '../../../helpers/link-sim';

const DIR = join(__dirname, '../../../fixtures/cc');

interface Fixture {
  description: string;
  estimator: BweOptions;
  link: Omit<LinkSimOptions, 'estimator' | 'capacityBps' | 'record'> & { capacity: string };
  events: RecordedEvent[];
}

const FIXTURES: { file: string; description: string; sim: LinkSimOptions; capacity: string }[] = [
  {
    file: 'twcc-capacity-drop.json',
    description: 'transport-cc; bottleneck 2.5 Mbit/s, 1.2 Mbit/s from t=6 s; 20 ms one way; 300 ms drop-tail queue',
    capacity: '2.5e6 until 6000 ms, then 1.2e6',
    sim: { seed: 11, durationMs: 12_000, capacityBps: (t) => (t < 6000 ? 2.5e6 : 1.2e6), estimator: { minBps: 300_000, maxBps: 3e6, startBps: 2e6 } },
  },
  {
    file: 'rr-only-loss.json',
    description: 'no transport-cc (receiver reports only); 20 Mbit/s with 12 % random loss; 30 ms one way',
    capacity: '20e6',
    sim: { seed: 12, durationMs: 10_000, capacityBps: 20e6, lossRate: 0.12, propagationMs: 30, feedback: 'rr', estimator: { minBps: 300_000, maxBps: 3e6, startBps: 2e6 } },
  },
];

function record(): void {
  for (const f of FIXTURES) {
    const r = runLinkSim({ ...f.sim, record: true });
    const round = (x: number): number => Math.round(x * 1000) / 1000;
    const events = r.events.map((e) => (e[0] === 'r' ? e : e[0] === 's' ? ['s', round(e[1]), e[2], e[3]] : ['n', round(e[1]), e[2]]));
    const { estimator, capacityBps: _c, record: _r, ...link } = f.sim;
    const head = JSON.stringify({ description: f.description, estimator: { ...estimator, transportCc: f.sim.feedback !== 'rr' }, link: { ...link, capacity: f.capacity } }, null, 2);
    const body = events.map((e) => JSON.stringify(e)).join(',\n    ');
    writeFileSync(join(DIR, f.file), `${head.slice(0, -2)},\n  "events": [\n    ${body}\n  ]\n}\n`);
  }
}

/** Replay a fixture; returns the target after each RTCP delivery, with its time. */
function replay(fx: Fixture): { t: number; target: BweTarget }[] {
  const e = new SendSideBandwidthEstimator(fx.estimator);
  const out: { t: number; target: BweTarget }[] = [];
  for (const ev of fx.events) {
    if (ev[0] === 's') e.onPacketSent(ev[2], ev[1], ev[3]);
    else if (ev[0] === 'n') e.onSenderReportSent(ev[2], ev[1]);
    else {
      const parsed = parseRtcpFeedback(new Uint8Array(Buffer.from(ev[2], 'hex')));
      expect(parsed.errors).toEqual([]);
      for (const item of parsed.feedback) e.onRtcp(item, ev[1]);
      out.push({ t: ev[1], target: e.target() });
    }
  }
  return out;
}

function load(file: string): Fixture {
  return JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Fixture;
}

describe('recorded feedback sequences', () => {
  if (process.env.RECORD_CC_FIXTURES) it('records the fixtures', record);

  it('twcc-capacity-drop: follows the drop to 1.2 Mbit/s within 2 s and stays in bounds', () => {
    const fx = load('twcc-capacity-drop.json');
    expect(fx.events.filter((e) => e[0] === 'r').length).toBeGreaterThan(100);
    const trace = replay(fx);
    for (const { target } of trace) {
      expect(target.bitrateBps).toBeGreaterThanOrEqual(fx.estimator.minBps);
      expect(target.bitrateBps).toBeLessThanOrEqual(fx.estimator.maxBps);
    }
    const before = trace.filter((s) => s.t > 4000 && s.t < 6000);
    expect(Math.min(...before.map((s) => s.target.bitrateBps))).toBeGreaterThan(0.8 * 2.5e6);
    const followed = trace.find((s) => s.t > 6000 && s.target.bitrateBps <= 1.1 * 1.2e6)!;
    expect(followed.t - 6000).toBeLessThanOrEqual(2000);
    expect(trace.some((s) => s.t > 6000 && s.target.reason === 'delay-overuse')).toBe(true);
    expect(trace[trace.length - 1]!.target.acked).toBeLessThan(1.3e6);
  });

  it('rr-only-loss: backs off on the RR fraction lost', () => {
    const fx = load('rr-only-loss.json');
    expect(fx.estimator.transportCc).toBe(false);
    const trace = replay(fx);
    const end = trace[trace.length - 1]!.target;
    expect(end.mode).toBe('receiver-reports');
    expect(end.lossFraction).toBeGreaterThan(0.08);
    expect(end.bitrateBps).toBeLessThan(0.7 * fx.estimator.startBps);
    expect(end.rttMs).toBeGreaterThan(50);
    expect(end.rttMs).toBeLessThan(120);
  });
});
