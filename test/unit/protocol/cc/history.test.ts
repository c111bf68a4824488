// The estimator's bookkeeping: rate windows, the send history and feedback matching, packet groups.
import { describe, expect, it } from 'vitest';
import { SendHistory } from '../../../../src/main/protocol/cc/history';
import { InterArrival } from '../../../../src/main/protocol/cc/inter-arrival';
import { RateWindow, WindowedMin } from '../../../../src/main/protocol/cc/rate-window';
import { parseTransportFeedback, type TwccFeedback } from '../../../../src/main/protocol/cc/twcc';
import { writeTwcc } from '../../../helpers/rtcp-writer';

/** Feedback for `arrivalsUs` from `baseSeq`, through real bytes. */
function feedback(baseSeq: number, arrivalsUs: (number | null)[], referenceTime?: number): TwccFeedback {
  return parseTransportFeedback(writeTwcc({ baseSeq, feedbackCount: 0, arrivalsUs, ...(referenceTime === undefined ? {} : { referenceTime }) }));
}

describe('RateWindow', () => {
  it('measures a steady rate, its busiest sub-window, and forgets after a jump', () => {
    const w = new RateWindow(500, 20, 150);
    expect(w.rateBps()).toBeUndefined();
    for (let t = 0; t < 1000; t += 1) w.add(t, 125); // 1 Mbit/s
    expect(w.rateBps()! / 1e6).toBeCloseTo(1, 1);
    for (let t = 1000; t < 1100; t += 1) w.add(t, 375); // 100 ms at 3 Mbit/s
    expect(w.peakRateBps(100)! / 1e6).toBeGreaterThan(2.7);
    expect(w.rateBps()! / 1e6).toBeGreaterThan(1.2);
    expect(w.rateAtBps(1100 + 600)).toBe(0); // nothing for a whole window
    w.add(500_000, 100); // a jump far ahead starts again
    expect(w.rateBps()).toBeUndefined();
    w.add(499_000, 1e9); // older than the window: ignored
    w.add(500_200, 100);
    expect(w.rateBps()! * 0.2 / 8).toBeLessThan(1000);
  });

  it('keeps the minimum over its window', () => {
    const m = new WindowedMin(10_000, 10);
    m.add(0, 50);
    m.add(5000, 70);
    expect(m.value).toBe(50);
    m.add(11_500, 80);
    expect(m.value).toBe(70);
    m.add(100_000, 90);
    expect(m.value).toBe(90);
  });
});

describe('SendHistory', () => {
  it('unwraps 16-bit numbers, rejects duplicates and matches feedback across the wrap', () => {
    const h = new SendHistory(1024, 5000);
    for (let i = 0; i < 10; i++) expect(h.onSent((65_530 + i) & 0xffff, 1000 + i, 1000 + i)).toBe(true);
    expect(h.onSent(65_531, 2000, 5)).toBe(false);
    expect(h.unwrap(3)! - h.unwrap(65_530)!).toBe(9);
    // 65530..65535 and 0..3: lose 65533 and 1.
    const arrivals = [0, 1, 2, null, 4, 5, 6, null, 8, 9].map((v) => (v === null ? null : 64_000 + v * 1000));
    const fb = feedback(65_530, arrivals);
    const m = h.applyFeedback(fb, fb.referenceTime * 64, 1100);
    expect(m.expected).toBe(10);
    expect(m.lost).toBe(2);
    expect(m.acked.map((a) => a.bytes)).toEqual([1000, 1001, 1002, 1004, 1005, 1006, 1008, 1009]);
    expect(m.acked[0]).toEqual({ sendMs: 1000, arrivalMs: 64, bytes: 1000 });
    expect(m.newestSendMs).toBe(1009);
  });

  it('counts a late report of a lost packet as recovered, and a repeated report as unknown', () => {
    const h = new SendHistory(1024, 5000);
    for (let i = 0; i < 4; i++) h.onSent(i, i, 500);
    h.applyFeedback(feedback(0, [64_000, null, 66_000]), 64, 10);
    const again = h.applyFeedback(feedback(0, [64_000, 67_000, 66_000, 68_000]), 64, 20);
    expect(again).toMatchObject({ expected: 1, lost: 0, recovered: 1, unknown: 2 });
    expect(again.acked.map((a) => a.sendMs)).toEqual([1, 3]);
  });

  it('ignores feedback for packets never sent, expired or far outside the ring', () => {
    const h = new SendHistory(256, 1000);
    expect(h.applyFeedback(feedback(5, [1000]), 0, 0).unknown).toBe(1); // nothing sent yet
    for (let i = 0; i < 300; i++) h.onSent(i, i, 100);
    expect(h.size).toBeLessThanOrEqual(256);
    expect(h.applyFeedback(feedback(10, [1000, 2000]), 0, 300).unknown).toBe(2); // overwritten
    expect(h.applyFeedback(feedback(290, [1000]), 0, 5000).unknown).toBe(1); // older than maxAgeMs
    expect(h.applyFeedback(feedback(30_000, [1000]), 0, 300).unknown).toBe(1); // never sent
    const m = h.applyFeedback(parseTransportFeedback(writeTwcc({ baseSeq: 0, feedbackCount: 0, arrivalsUs: new Array(0x7fff).fill(null) })), 0, 300);
    expect(m.lost).toBeLessThanOrEqual(256); // only what the ring holds
  });
});

describe('InterArrival (groups of 5 ms, draft-ietf-rmcat-gcc-02 §5.2)', () => {
  it('groups packets sent within 5 ms and reports deltas between complete groups', () => {
    const ia = new InterArrival();
    const deltas = [];
    // Groups every 20 ms of 3 packets 1 ms apart; each arrives 2 ms later than the one before.
    for (let g = 0; g < 5; g++) {
      for (let k = 0; k < 3; k++) {
        const send = g * 20 + k;
        const d = ia.add(send, 1000 + send + g * 2, 0);
        if (d) deltas.push(d);
      }
    }
    expect(deltas).toHaveLength(3);
    for (const d of deltas) {
      expect(d.sendDeltaMs).toBe(20);
      expect(d.arrivalDeltaMs).toBe(22);
    }
  });

  it('merges a burst that arrives together after a stall, skips reordered packets, resets on a clock jump', () => {
    const ia = new InterArrival();
    ia.add(0, 100, 0);
    ia.add(10, 110, 0);
    // Sent 10 ms apart but delivered 1 ms apart (a burst after a stall): one group.
    expect(ia.add(20, 140, 0)).toBeDefined();
    expect(ia.add(30, 141, 0)).toBeUndefined();
    expect(ia.add(5, 142, 0)).toBeUndefined(); // sent before the current group: reordered
    const d = ia.add(40, 150, 0);
    // The burst group (last sent 30, last arrived 141) against the group before it (10, 110).
    expect(d).toEqual({ sendDeltaMs: 20, arrivalDeltaMs: 31, arrivalMs: 141 });
    const before = ia.resets;
    ia.add(50, 160, 0);
    ia.add(60, 10_000, 0); // the receive clock leapt 9.8 s while ours did not
    expect(ia.add(70, 10_010, 0)).toBeUndefined();
    expect(ia.resets).toBe(before + 1);
  });
});
