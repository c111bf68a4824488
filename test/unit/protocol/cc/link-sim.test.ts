// The estimator in closed loop over the seeded link simulator (test/helpers/link-sim.ts): the
// checks of issue 13 (convergence, capacity drop, loss, oscillation, REMB, RR-only fallback,
// bounds), each a few simulated seconds computed in well under a second.
import { describe, expect, it } from 'vitest';
import { runLinkSim, type LinkSimOptions, type SimResult, type SimSample } from '../../../helpers/link-sim';

const EST = { minBps: 300_000, maxBps: 10_000_000, startBps: 6_000_000 };

function run(o: Partial<LinkSimOptions> & Pick<LinkSimOptions, 'capacityBps'>): SimResult {
  const r = runLinkSim({ seed: 1, durationMs: 20_000, estimator: EST, ...o });
  expect(r.rtcpErrors).toBe(0); // every feedback went through the parser as bytes
  const { minBps, maxBps } = o.estimator ?? EST;
  for (const s of r.samples) {
    expect(s.targetBps).toBeGreaterThanOrEqual(minBps);
    expect(s.targetBps).toBeLessThanOrEqual(maxBps);
  }
  return r;
}

const between = (r: SimResult, from: number, to = Infinity): SimSample[] => r.samples.filter((s) => s.tMs >= from && s.tMs <= to);
const rel = (s: SimSample): number => s.targetBps / s.capacityBps;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
/** First time the target is within 10 % of the capacity. */
const converged = (r: SimResult): number | undefined => r.samples.find((s) => Math.abs(rel(s) - 1) <= 0.1)?.tMs;

describe('GCC over a simulated bottleneck (transport-cc)', () => {
  it.each([
    { capacity: 4e6, start: 6e6, prop: 20 },
    { capacity: 1.5e6, start: 2.5e6, prop: 40 },
    { capacity: 8e6, start: 6e6, prop: 10 },
    { capacity: 4e6, start: 3e6, prop: 40 },
  ])('a steady $capacity bit/s link (start $start, one-way $prop ms): within 10 % in ≤ 5 s, then within ±20 %', ({ capacity, start, prop }) => {
    const r = run({ capacityBps: capacity, propagationMs: prop, estimator: { ...EST, startBps: start, maxBps: 20e6 } });
    expect(converged(r)).toBeLessThanOrEqual(5000);
    const after = between(r, 5000).map(rel);
    // GCC's sawtooth: back off to 0.85 × the receive rate at over-use, recover at 8 %/s.
    expect(Math.min(...after)).toBeGreaterThanOrEqual(0.8);
    expect(Math.max(...after)).toBeLessThanOrEqual(1.2);
    expect(mean(after)).toBeGreaterThan(0.85);
    expect(mean(after)).toBeLessThan(1.05);
    // The queue it keeps is short: keyframe bursts, not a standing queue.
    expect(mean(between(r, 5000).map((s) => s.queueDelayMs))).toBeLessThan(40);
  });

  it('follows a capacity drop from 8 to 3 Mbit/s within 2 s, without collapsing', () => {
    const r = run({ capacityBps: (t) => (t < 10_000 ? 8e6 : 3e6), durationMs: 20_000 });
    const before = between(r, 5000, 10_000).map(rel);
    expect(Math.min(...before)).toBeGreaterThan(0.8);
    const followed = r.samples.find((s) => s.tMs >= 10_000 && s.targetBps <= 3.3e6)!.tMs;
    expect(followed - 10_000).toBeLessThanOrEqual(2000);
    const late = between(r, 12_000).map(rel);
    expect(Math.max(...late)).toBeLessThanOrEqual(1.1);
    expect(Math.min(...late)).toBeGreaterThanOrEqual(0.6);
    expect(mean(between(r, 15_000).map(rel))).toBeGreaterThan(0.8);
  });

  it('backs off on a loss-only link (15 % random loss, no queueing) and not at 1 %', () => {
    const lossy = run({ capacityBps: 50e6, lossRate: 0.15, durationMs: 12_000 });
    expect(lossy.droppedQueue).toBe(0);
    expect(Math.max(...lossy.samples.map((s) => s.queueDelayMs))).toBeLessThan(20);
    const end = lossy.samples[lossy.samples.length - 1]!;
    expect(end.targetBps).toBeLessThan(0.6 * EST.startBps);
    expect(end.target.reason).toBe('loss-high');
    expect(end.target.lossFraction).toBeGreaterThan(0.1);
    const clean = run({ capacityBps: 50e6, lossRate: 0.01, durationMs: 12_000 });
    expect(clean.samples[clean.samples.length - 1]!.targetBps).toBe(EST.maxBps);
    expect(Math.min(...clean.samples.map((s) => s.targetBps))).toBe(EST.startBps);
  });

  it('climbs back to its maximum after a capacity dip on a 5 % random-loss link (loss without a queue is not congestion)', () => {
    // 2.5 Mbit/s stream; the path has 5 % random loss throughout and drops to 1 Mbit/s for 2 s.
    const est = { minBps: 300_000, maxBps: 2_500_000, startBps: 2_500_000 };
    const r = run({ capacityBps: (t) => (t >= 4000 && t < 6000 ? 1e6 : 50e6), lossRate: 0.05, durationMs: 30_000, estimator: est });
    expect(Math.min(...between(r, 4000, 7000).map((s) => s.targetBps))).toBeLessThan(1.2e6); // it did follow the dip
    const back = r.samples.find((s) => s.tMs >= 6000 && s.targetBps >= 0.95 * est.maxBps);
    expect(back?.tMs).toBeDefined();
    expect(back!.tMs - 6000).toBeLessThan(20_000);
    expect(mean(between(r, 26_000).map((s) => s.targetBps))).toBeGreaterThan(0.9 * est.maxBps);
  });

  it('holds a REMB cap and follows it when it is raised', () => {
    const r = run({ capacityBps: 50e6, rembBps: (t) => (t < 8000 ? 2e6 : 5e6), durationMs: 20_000 });
    for (const s of between(r, 400, 8000)) {
      expect(s.targetBps).toBeLessThanOrEqual(2e6);
      expect(s.target.reason).toBe('remb');
    }
    for (const s of between(r, 8000)) expect(s.targetBps).toBeLessThanOrEqual(5e6);
    expect(r.samples[r.samples.length - 1]!.targetBps).toBeGreaterThan(4.5e6);
  });

  it('stays at the minimum on a link below it, and at the maximum on a fast one', () => {
    const slow = run({ capacityBps: 500_000, estimator: { minBps: 1e6, maxBps: 4e6, startBps: 2e6 }, durationMs: 10_000 });
    expect(slow.samples[slow.samples.length - 1]!.targetBps).toBe(1e6);
    const fast = run({ capacityBps: 100e6, estimator: { minBps: 300_000, maxBps: 4e6, startBps: 2e6 }, durationMs: 14_000 });
    expect(between(fast, 11_000).every((s) => s.targetBps === 4e6 && s.target.reason === 'max')).toBe(true);
  });

  it('copes with jitter (reordering) and lost feedback', () => {
    const r = run({ capacityBps: 4e6, jitterMs: 4, feedbackLoss: 0.1, seed: 7 });
    expect(converged(r)).toBeLessThanOrEqual(6000);
    const after = between(r, 6000).map(rel);
    expect(Math.min(...after)).toBeGreaterThanOrEqual(0.7);
    expect(Math.max(...after)).toBeLessThanOrEqual(1.2);
  });

  it('is deterministic for a seed', () => {
    const o = { capacityBps: 3e6, lossRate: 0.03, durationMs: 5000 };
    const a = run({ ...o, seed: 3 }).samples.map((s) => s.targetBps);
    expect(run({ ...o, seed: 3 }).samples.map((s) => s.targetBps)).toEqual(a);
    expect(run({ ...o, seed: 4 }).samples.map((s) => s.targetBps)).not.toEqual(a);
  });
});

describe('fallback without transport-cc: receiver reports (+ REMB) only', () => {
  it('backs off under loss', () => {
    const r = run({ capacityBps: 50e6, lossRate: 0.15, feedback: 'rr', durationMs: 12_000 });
    const end = r.samples[r.samples.length - 1]!;
    expect(end.target.mode).toBe('receiver-reports');
    expect(end.targetBps).toBeLessThan(0.6 * EST.startBps);
    expect(end.target.reason).toBe('loss-high');
  });

  it('backs off under a growing RTT with no loss at all, and lets the queue drain', () => {
    const r = run({ capacityBps: 3e6, queueMs: 5000, feedback: 'rr', estimator: { ...EST, startBps: 4.5e6 }, durationMs: 30_000 });
    expect(r.droppedQueue + r.lostRandom).toBe(0);
    expect(r.samples.some((s) => s.target.reason === 'rtt-overuse')).toBe(true);
    const below = r.samples.find((s) => s.targetBps < 3e6)!;
    expect(below.tMs).toBeLessThan(8000);
    const peakQueue = Math.max(...r.samples.map((s) => s.queueDelayMs));
    expect(peakQueue).toBeLessThan(3000);
    expect(Math.max(...between(r, 25_000).map((s) => s.queueDelayMs))).toBeLessThan(300);
    expect(mean(between(r, 20_000).map(rel))).toBeGreaterThan(0.5);
  });

  it('does not time out a server that reports every 5 s, and still backs off on its loss', () => {
    const clean = run({ capacityBps: 50e6, feedback: 'rr', rrIntervalMs: 5000, estimator: { ...EST, startBps: 3e6 }, durationMs: 30_000 });
    expect(clean.samples.some((s) => s.target.reason === 'feedback-timeout')).toBe(false);
    expect(clean.samples[clean.samples.length - 1]!.targetBps).toBeGreaterThan(3e6);
    const lossy = run({ capacityBps: 50e6, feedback: 'rr', rrIntervalMs: 5000, lossRate: 0.2, durationMs: 30_000 });
    expect(lossy.samples[lossy.samples.length - 1]!.targetBps).toBeLessThan(0.7 * EST.startBps);
  });

  it('ramps to the maximum on a clean link and caps at REMB', () => {
    const clean = run({ capacityBps: 50e6, feedback: 'rr', durationMs: 15_000 });
    expect(clean.samples[clean.samples.length - 1]!.targetBps).toBe(EST.maxBps);
    const capped = run({ capacityBps: 50e6, feedback: 'rr', rembBps: () => 3e6, durationMs: 8000 });
    expect(Math.max(...between(capped, 400).map((s) => s.targetBps))).toBeLessThanOrEqual(3e6);
  });
});
