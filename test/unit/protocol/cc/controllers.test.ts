// The GCC pieces on their own: trendline over-use detector (draft-ietf-rmcat-gcc-02 §5.3-5.4),
// AIMD rate control (§5.5), loss-based control (§6), and the RTT queue signal of the RR fallback.
import { describe, expect, it } from 'vitest';
import { AIMD, AimdRateControl } from '../../../../src/main/protocol/cc/aimd';
import { LossBasedControl } from '../../../../src/main/protocol/cc/loss-based';
import { RttQueueDetector } from '../../../../src/main/protocol/cc/rtt';
import { TRENDLINE, TrendlineDetector } from '../../../../src/main/protocol/cc/trendline';

/** Feed `n` groups 10 ms apart whose arrival spacing is `ratio` × the send spacing. */
function feed(d: TrendlineDetector, n: number, ratio: number, t0 = 0): number {
  let t = t0;
  for (let i = 0; i < n; i++) {
    t += 10 * ratio;
    d.update(10 * ratio, 10, t);
  }
  return t;
}

describe('trendline detector', () => {
  it('stays normal on a constant delay and signals over-use on a growing one', () => {
    const d = new TrendlineDetector();
    let t = feed(d, 60, 1);
    expect(d.state).toBe('normal');
    expect(d.trend).toBeCloseTo(0, 6);
    // Sending 10 % above capacity: every group arrives 1 ms later than the one before.
    const states = new Set<string>();
    for (let i = 0; i < 40; i++) {
      t += 11;
      states.add(d.update(11, 10, t));
    }
    expect(states.has('overuse')).toBe(true);
    expect(d.trend).toBeGreaterThan(0.05);
    // Draining: arrivals closer than sends.
    for (let i = 0; i < 40; i++) {
      t += 7;
      d.update(7, 10, t);
    }
    expect(d.state).toBe('underuse');
  });

  it('adapts the threshold within [6, 600] and not on a spike', () => {
    const d = new TrendlineDetector();
    feed(d, 200, 1);
    expect(d.threshold).toBe(TRENDLINE.minThreshold); // decays towards |m| ≈ 0
    const before = d.threshold;
    d.update(500, 10, 10_000); // one huge spike: |m| ≫ γ + 15, no adaptation
    expect(d.threshold).toBe(before);
    for (let i = 0; i < 5; i++) d.update(Number.NaN, 10, 10_100 + i); // ignored
    expect(Number.isFinite(d.threshold)).toBe(true);
  });
});

describe('AIMD rate control', () => {
  const opts = { startBps: 1_000_000, minBps: 100_000, maxBps: 5_000_000 };

  it('increases multiplicatively (8 %/s) far from convergence and backs off to 0.85 × R on over-use', () => {
    const a = new AimdRateControl(opts);
    a.update('normal', 1_000_000, 0, 200);
    a.update('normal', 1_000_000, 1000, 200);
    expect(a.bitrateBps).toBeCloseTo(1_080_000, -2);
    expect(a.state).toBe('increase');
    a.update('overuse', 900_000, 1100, 200);
    expect(a.bitrateBps).toBeCloseTo(AIMD.beta * 900_000, -1);
    expect(a.state).toBe('hold');
    expect(a.capacity.estimateBps).toBeCloseTo(900_000, -1);
  });

  it('increases additively close to the link capacity, multiplicatively again past it', () => {
    const a = new AimdRateControl({ ...opts, startBps: 4_000_000 });
    a.update('overuse', 4_000_000, 0, 140); // capacity ≈ 4 Mbit/s, rate 3.4
    a.update('normal', 3_950_000, 100, 140);
    const r0 = a.bitrateBps;
    a.update('normal', 3_950_000, 1100, 140);
    // One ~1190-byte packet per 140 ms response time: ≈ 68 kbit/s per second.
    expect(a.bitrateBps - r0).toBeGreaterThan(50_000);
    expect(a.bitrateBps - r0).toBeLessThan(90_000);
    const r1 = a.bitrateBps;
    a.update('normal', 4_500_000, 2100, 140); // R beyond capacity + 3σ: forget it, 8 %/s
    expect(a.capacity.estimateBps).toBeUndefined();
    expect(a.bitrateBps / r1).toBeCloseTo(1.08, 2);
  });

  it('never exceeds 1.5 × R + 10 kbit/s, holds on under-use and stays in [min, max]', () => {
    const a = new AimdRateControl({ ...opts, startBps: 150_000 });
    for (let t = 0; t <= 20_000; t += 100) a.update('normal', 200_000, t, 200);
    expect(a.bitrateBps).toBeLessThanOrEqual(1.5 * 200_000 + 10_000 + 1);
    expect(a.throughputLimited).toBe(true);
    const b = new AimdRateControl(opts);
    for (let t = 0; t <= 60_000; t += 100) b.update('normal', undefined, t, 200);
    expect(b.bitrateBps).toBe(opts.maxBps);
    b.update('underuse', 5e6, 60_100, 200);
    expect(b.state).toBe('hold');
    for (let t = 0; t < 30; t++) b.update('overuse', 1000, 60_200 + t * 300, 200);
    expect(b.bitrateBps).toBe(opts.minBps);
  });

  it('waits one RTT (10-200 ms) before reducing again unless the rate collapsed', () => {
    const a = new AimdRateControl(opts);
    a.update('overuse', 1_000_000, 0, 200);
    expect(a.timeToReduceFurther(50, 100, 900_000)).toBe(false);
    expect(a.timeToReduceFurther(100, 100, 900_000)).toBe(true);
    expect(a.timeToReduceFurther(50, 100, 100_000)).toBe(true); // below half the rate
  });
});

describe('loss-based control (§6)', () => {
  const opts = { startBps: 2_000_000, minBps: 100_000, maxBps: 5_000_000 };

  it('cuts by (1 − 0.5 · loss) once per report above 10 %, holds in 2-10 %, grows below 2 %', () => {
    const l = new LossBasedControl(opts);
    l.onLossReport(0.2, 0);
    expect(l.update(0, 50, Infinity)).toBeCloseTo(1_800_000, -1);
    expect(l.state).toBe('decrease');
    expect(l.update(1000, 50, Infinity)).toBeCloseTo(1_800_000, -1); // same report: once
    l.onLossReport(0.2, 1100);
    expect(l.update(1100, 50, Infinity)).toBeCloseTo(1_620_000, -1);
    l.onLossReport(0.05, 2000);
    expect(l.update(3000, 50, Infinity)).toBeCloseTo(1_620_000, -1);
    expect(l.state).toBe('hold');
    l.onLossReport(0.01, 3000);
    l.update(3000, 50, Infinity);
    expect(l.update(4000, 50, Infinity) / 1_620_000).toBeCloseTo(1.08, 2);
  });

  it('grows in the 2-10 % band while the delay side sees no queue (random loss), still cuts above 10 %', () => {
    const l = new LossBasedControl(opts);
    l.onLossReport(0.05, 0);
    l.update(0, 50, Infinity, false);
    expect(l.update(1000, 50, Infinity, false) / 2_000_000).toBeCloseTo(1.08, 2);
    expect(l.state).toBe('increase');
    const held = l.update(2000, 50, Infinity, true);
    expect(l.update(3000, 50, Infinity, true)).toBe(held);
    expect(l.state).toBe('hold');
    l.onLossReport(0.2, 3000);
    expect(l.update(3000, 50, Infinity, false)).toBeCloseTo(held * 0.9, -1);
    expect(l.state).toBe('decrease');
  });

  it('spaces decreases by 300 ms + RTT, never exceeds the cap, and holds when reports stop', () => {
    const l = new LossBasedControl(opts);
    l.onLossReport(0.5, 0);
    l.update(0, 200, Infinity);
    l.onLossReport(0.5, 100);
    const r = l.update(100, 200, Infinity);
    expect(r).toBe(1_500_000); // 100 ms < 300 + 200 ms: not yet
    expect(l.update(500, 200, Infinity)).toBe(1_125_000);
    expect(l.update(600, 200, 700_000)).toBe(700_000);
    l.onLossReport(0, 700);
    l.update(700, 200, Infinity);
    expect(l.update(20_000, 200, Infinity)).toBe(l.update(21_000, 200, Infinity)); // stale: hold
  });
});

describe('RTT queue detector (receiver-report fallback)', () => {
  it('calls a growing queue over-use, a draining one hold, and an empty one normal', () => {
    const d = new RttQueueDetector();
    expect(d.onRtt(50, 0)).toBe(true);
    expect(d.state).toBe('normal');
    expect(d.onRtt(50, 0)).toBe(false); // the same SR again
    d.onRtt(250, 1000); // +200 ms in 1 s
    expect(d.state).toBe('overuse');
    expect(d.growth).toBeCloseTo(0.2, 6);
    expect(d.queueMs).toBe(200);
    d.onRtt(100, 2000); // draining at 150 ms/s: gone well within 5 s
    expect(d.state).toBe('underuse');
    d.onRtt(60, 3000);
    expect(d.state).toBe('normal');
    expect(d.baseRttMs).toBe(50);
    d.onRtt(900, 4000);
    d.onRtt(880, 5000); // draining at 20 ms/s: 830 ms of queue would take 41 s
    expect(d.state).toBe('overuse');
  });
});
