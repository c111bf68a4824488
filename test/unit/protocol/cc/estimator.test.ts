// The estimator's API on hand-made inputs (the link simulations are in link-sim.test.ts).
import { describe, expect, it } from 'vitest';
import { SendSideBandwidthEstimator, type BweOptions } from '../../../../src/main/protocol/cc/estimator';
import { parseRtcpFeedback, type ReportBlock } from '../../../../src/main/protocol/cc/rtcp';
import { parseTransportFeedback } from '../../../../src/main/protocol/cc/twcc';
import { InputError } from '../../../../src/shared/errors';
import { writeRemb, writeTwcc } from '../../../helpers/rtcp-writer';

const base: BweOptions = { minBps: 300_000, maxBps: 6_000_000, startBps: 2_000_000, transportCc: true };

/** Send `n` 1200-byte packets from `seq`, every `gapMs` from `t0`; returns the next seq and time. */
function send(e: SendSideBandwidthEstimator, seq: number, t0: number, n: number, gapMs: number): [number, number] {
  for (let i = 0; i < n; i++) e.onPacketSent((seq + i) & 0xffff, t0 + i * gapMs, 1200);
  return [seq + n, t0 + n * gapMs];
}

/** Feedback saying packets seq..seq+n−1 (sent `gapMs` apart from t0) arrived with `oneWayMs` + `extra(i)`. */
function ack(seq: number, t0: number, n: number, gapMs: number, oneWayMs: number, extra: (i: number) => number = () => 0, lost: (i: number) => boolean = () => false) {
  const arrivalsUs = Array.from({ length: n }, (_, i) => (lost(i) ? null : (10_000 + t0 + i * gapMs + oneWayMs + extra(i)) * 1000));
  return parseTransportFeedback(writeTwcc({ baseSeq: seq & 0xffff, feedbackCount: 0, arrivalsUs }));
}

describe('SendSideBandwidthEstimator API', () => {
  it('validates its bounds and clamps the start bitrate', () => {
    expect(() => new SendSideBandwidthEstimator({ ...base, minBps: 0 })).toThrow(InputError);
    expect(() => new SendSideBandwidthEstimator({ ...base, maxBps: 100 })).toThrow(InputError);
    expect(() => new SendSideBandwidthEstimator({ ...base, startBps: Number.NaN })).toThrow(InputError);
    const e = new SendSideBandwidthEstimator({ ...base, startBps: 50e6 });
    expect(e.target()).toMatchObject({ bitrateBps: 6e6, state: 'hold', reason: 'start', mode: 'transport-cc', pacingRateBps: 15e6 });
    expect(() => e.setBounds(500, 100)).toThrow(InputError);
    e.setBounds(300_000, 1_000_000);
    expect(e.target().bitrateBps).toBe(1_000_000);
  });

  it('ignores invalid numbers instead of throwing', () => {
    const e = new SendSideBandwidthEstimator(base);
    e.onPacketSent(Number.NaN, 0, 1200);
    e.onPacketSent(1, Number.POSITIVE_INFINITY, 1200);
    e.onPacketSent(1, 0, -5);
    e.onPacketSent(1, 0, 1e9);
    e.onRemb(Number.NaN, 0);
    e.onRemb(-1, 0);
    expect(e.stats().ignored).toBe(6);
    expect(e.target().bitrateBps).toBe(2e6);
  });

  it('ramps up on clean feedback and backs off when the delay grows', () => {
    const e = new SendSideBandwidthEstimator(base);
    let seq = 65_000;
    let t = 0;
    for (let round = 0; round < 20; round++) {
      const [s, t1] = send(e, seq, t, 20, 5);
      e.onTransportFeedback(ack(seq, t, 20, 5, 30), t1 + 30);
      [seq, t] = [s, t1];
    }
    const up = e.target();
    expect(up.bitrateBps).toBeGreaterThan(2e6);
    expect(up.state).toBe('increase');
    expect(up.acked).toBeGreaterThan(1.7e6); // 1200 B every 5 ms = 1.92 Mbit/s
    expect(up.acked).toBeLessThan(2.1e6);
    // Now each packet waits 2 ms longer than the one before: a queue builds at ~1.4× capacity.
    const states = new Set<string>();
    for (let round = 0; round < 6; round++) {
      const [s, t1] = send(e, seq, t, 20, 5);
      e.onTransportFeedback(ack(seq, t, 20, 5, 30, (i) => (round * 20 + i) * 2), t1 + 30 + round * 40);
      states.add(e.target().reason);
      [seq, t] = [s, t1];
    }
    expect(states.has('delay-overuse')).toBe(true);
    expect(e.target().bitrateBps).toBeLessThan(up.bitrateBps * 0.9);
    expect(e.target().queueDelayMs).toBeGreaterThan(100);
    expect(e.target().bitrateBps).toBeGreaterThanOrEqual(base.minBps);
  });

  it('takes the loss fraction from feedback once a second and backs off above 10 %', () => {
    const e = new SendSideBandwidthEstimator(base);
    let seq = 0;
    let t = 0;
    for (let round = 0; round < 30; round++) {
      const [s, t1] = send(e, seq, t, 20, 5);
      e.onTransportFeedback(ack(seq, t, 20, 5, 30, () => 0, (i) => i % 4 === 0), t1 + 30);
      [seq, t] = [s, t1];
    }
    const out = e.target();
    expect(out.lossFraction).toBeCloseTo(0.25, 2);
    expect(out.reason).toBe('loss-high');
    expect(out.bitrateBps).toBeLessThan(2e6 * 0.9);
  });

  it('caps at REMB and reports it', () => {
    const e = new SendSideBandwidthEstimator(base);
    const [remb] = parseRtcpFeedback(writeRemb(800_000)).feedback;
    e.onRtcp(remb!, 10);
    expect(e.target()).toMatchObject({ bitrateBps: 800_000, reason: 'remb', rembBps: 800_000, state: 'decrease' });
    e.onRemb(0, 20);
    expect(e.target().bitrateBps).toBe(base.minBps);
    e.onRemb(1e12, 30);
    expect(e.target().bitrateBps).toBeLessThanOrEqual(base.maxBps);
  });

  it('in receiver-report mode backs off on RR loss, and switches to transport-cc on TWCC', () => {
    const e = new SendSideBandwidthEstimator({ ...base, transportCc: false, lossSsrc: 42 });
    expect(e.mode).toBe('receiver-reports');
    const block: ReportBlock = { ssrc: 42, fractionLost: 64, cumulativeLost: 10, highestSeq: 100, jitter: 0, lsr: 0, dlsr: 0 };
    send(e, 0, 0, 100, 10);
    e.onReceiverReport(block, 1000);
    expect(e.target()).toMatchObject({ reason: 'loss-high', lossFraction: 0.25, state: 'decrease' });
    const after = e.target().bitrateBps;
    e.onReceiverReport(block, 1001); // the same block again: ignored
    e.onReceiverReport({ ...block, ssrc: 7, highestSeq: 200, fractionLost: 255 }, 1500); // not lossSsrc
    expect(e.target().bitrateBps).toBe(after);
    e.onTransportFeedback(ack(50, 500, 10, 10, 20), 1600);
    expect(e.mode).toBe('transport-cc');
  });

  it('in receiver-report mode takes loss over ≥ 20 packets from the cumulative counters, not per report', () => {
    // A receiver that sends an RR with every NACK: each block's fraction covers a few packets.
    const e = new SendSideBandwidthEstimator({ ...base, transportCc: false });
    send(e, 0, 0, 100, 10);
    const block = (highestSeq: number, cumulativeLost: number, fractionLost: number): ReportBlock => ({ ssrc: 42, fractionLost, cumulativeLost, highestSeq, jitter: 0, lsr: 0, dlsr: 0 });
    e.onReceiverReport(block(1000, 0, 0), 1000);
    e.onReceiverReport(block(1004, 3, 192), 1001); // 3 of 4 lost: 75 %, alone
    expect(e.target().lossFraction).toBe(0);
    e.onReceiverReport(block(1010, 3, 0), 1002);
    e.onReceiverReport(block(1020, 4, 25), 1003); // 20 expected, 4 lost
    expect(e.target().lossFraction).toBeCloseTo(0.2, 6);
    e.onReceiverReport(block(900, 4, 0), 1004); // went backwards (a reset): counted anew
    e.onReceiverReport(block(930, 4, 0), 1005);
    expect(e.target().lossFraction).toBe(0);
  });

  it('measures the RTT from our SR log and reports it', () => {
    const e = new SendSideBandwidthEstimator({ ...base, transportCc: false });
    e.onSenderReportSent(0x1234_0000, 1000);
    e.onReceiverReport({ ssrc: 1, fractionLost: 0, cumulativeLost: 0, highestSeq: 5, jitter: 0, lsr: 0x1234_0000, dlsr: 0x8000 }, 1600);
    expect(e.target().rttMs).toBeCloseTo(100, 6);
    expect(e.stats().srLogEntries).toBe(1);
  });

  it('scales down by 0.8 per second when feedback stops while sending', () => {
    const e = new SendSideBandwidthEstimator(base);
    const [seq, t] = send(e, 0, 0, 20, 5);
    e.onTransportFeedback(ack(0, 0, 20, 5, 30), t + 30);
    const before = e.target().bitrateBps;
    send(e, seq, t + 100, 1400, 5); // 7 s of sending, no feedback
    const out = e.target();
    expect(out.reason).toBe('feedback-timeout');
    expect(out.bitrateBps).toBeLessThan(before * 0.8 * 0.8 + 1);
    expect(out.bitrateBps).toBeGreaterThanOrEqual(base.minBps);
  });

  it('survives time going backwards and absurd feedback', () => {
    const e = new SendSideBandwidthEstimator(base);
    send(e, 0, 10_000, 50, 5);
    send(e, 50, 100, 50, 5); // earlier clock
    e.onTransportFeedback(ack(0, 10_000, 50, 5, 30, (i) => (i % 2 ? 4000 : -4000)), 5);
    e.onTransportFeedback(ack(0, 10_000, 50, 5, 30), 5);
    const out = e.target();
    expect(out.bitrateBps).toBeGreaterThanOrEqual(base.minBps);
    expect(out.bitrateBps).toBeLessThanOrEqual(base.maxBps);
    expect(Number.isFinite(out.pacingRateBps)).toBe(true);
  });
});
