// The WHIP loss-repair policy (src/main/protocol/rtp/repair.ts): copies per retransmission, and the
// playout delay asked of a receiver that cannot know the RTT.
import { describe, expect, it } from 'vitest';
import { PLAYOUT, RepairPolicy, playoutDelayPayload, repairCopies } from '../../../../src/main/protocol/rtp/repair';

describe('repair copies', () => {
  it('is the smallest n with loss^n ≤ 0.1 %, from 1 to 3', () => {
    expect(repairCopies(0)).toBe(1);
    expect(repairCopies(0.0005)).toBe(1);
    expect(repairCopies(0.01)).toBe(2); // 0.01² = 0.01 %
    expect(repairCopies(0.03)).toBe(2); // 0.09 %
    expect(repairCopies(0.05)).toBe(3); // 0.25 % with 2
    expect(repairCopies(0.5)).toBe(3);
    expect(repairCopies(1)).toBe(3);
    expect(repairCopies(Number.NaN)).toBe(1);
    for (const p of [0.002, 0.01, 0.02, 0.04, 0.09]) {
      const n = repairCopies(p);
      expect(p ** n).toBeLessThanOrEqual(0.001 + 1e-12);
      if (n > 1) expect(p ** (n - 1)).toBeGreaterThan(0.001);
    }
  });
});

describe('playout-delay extension (http://www.webrtc.org/experiments/rtp-hdrext/playout-delay)', () => {
  it('packs MIN and MAX as 12 bits each in 10 ms units, rounded up and clamped', () => {
    expect([...playoutDelayPayload(0, 0)]).toEqual([0, 0, 0]);
    // 350 ms → 35 = 0x023; 10 s → 1000 = 0x3e8: 0x02 0x33 0xe8
    expect([...playoutDelayPayload(350, 10_000)]).toEqual([0x02, 0x33, 0xe8]);
    expect([...playoutDelayPayload(341, 10_000)]).toEqual([0x02, 0x33, 0xe8]);
    expect([...playoutDelayPayload(1e9, 1e9)]).toEqual([0xff, 0xff, 0xff]);
    expect([...playoutDelayPayload(500, 100)]).toEqual([0x03, 0x20, 0x32]); // max never below min
    expect([...playoutDelayPayload(-5, Number.NaN)]).toEqual([0, 0, 0]);
  });
});

describe('RepairPolicy playout delay', () => {
  it('asks nothing before the first repair, then the p95 of repair ages + margin, at once', () => {
    const p = new RepairPolicy();
    expect(p.playoutDelay(0)).toBeUndefined();
    p.onRepair(200, 100);
    p.onRepair(220, 200);
    expect(p.playoutDelay(300)).toEqual({ minMs: 0, maxMs: PLAYOUT.maxDelayMs }); // fewer than 3 samples
    p.onRepair(300, 300);
    expect(p.playoutDelay(300)?.minMs).toBe(300 + PLAYOUT.marginMs);
    for (let i = 0; i < 40; i++) p.onRepair(200, 400 + i);
    // p95 over 43 samples: the 41st smallest = 220 or 300 band; never below what was asked at once
    expect(p.playoutDelay(500)!.minMs).toBeGreaterThanOrEqual(200 + PLAYOUT.marginMs);
  });

  it('falls at most 50 ms per second, to 0 once repairs stop, and is bounded by 1 s', () => {
    const p = new RepairPolicy();
    for (let i = 0; i < 10; i++) p.onRepair(5000, i);
    expect(p.playoutDelay(10)!.minMs).toBe(PLAYOUT.maxMinDelayMs);
    // no repairs from t = 10 ms: after the 10 s window the wish is 0, the value decays
    expect(p.playoutDelay(10_010)!.minMs).toBeLessThanOrEqual(PLAYOUT.maxMinDelayMs);
    const a = p.playoutDelay(11_010)!.minMs;
    const b = p.playoutDelay(12_010)!.minMs;
    expect(a - b).toBeCloseTo(PLAYOUT.decayMsPerS, 5);
    expect(p.playoutDelay(60_000)!.minMs).toBe(0);
    expect(p.playoutDelay(60_000)!.maxMs).toBe(PLAYOUT.maxDelayMs);
  });

  it('ignores absurd input', () => {
    const p = new RepairPolicy();
    p.onRepair(Number.NaN, 0);
    p.onRepair(-1, 0);
    p.onRepair(100, Number.POSITIVE_INFINITY);
    expect(p.playoutDelay(0)).toBeUndefined();
  });
});
