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
  it('asks no wait (and a bounded buffer) before repairs, then the p95 of repair ages + margin, at once', () => {
    const p = new RepairPolicy();
    expect(p.playoutDelay(0)).toEqual({ minMs: 0, maxMs: PLAYOUT.idleMaxDelayMs });
    for (let i = 0; i < PLAYOUT.minSamples - 1; i++) p.onRepair(200, 100 + i);
    expect(p.playoutDelay(300)).toEqual({ minMs: 0, maxMs: PLAYOUT.idleMaxDelayMs }); // too few repairs: no wait asked, and a bounded buffer
    p.onRepair(300, 300);
    expect(p.playoutDelay(300)?.minMs).toBe(300 + PLAYOUT.marginMs);
    for (let i = 0; i < 40; i++) p.onRepair(200, 400 + i);
    // p95 over 45 samples is now 200: the minimum falls by at most decayMsPerS
    const m = p.playoutDelay(1440)!.minMs;
    expect(m).toBeLessThan(300 + PLAYOUT.marginMs);
    expect(m).toBeGreaterThanOrEqual(300 + PLAYOUT.marginMs - 1.1 * PLAYOUT.decayMsPerS);
  });

  it('is bounded by maxMinDelayMs, and back to 0 at once when repairs stop', () => {
    const p = new RepairPolicy();
    for (let i = 0; i < 10; i++) p.onRepair(5000, i);
    expect(p.playoutDelay(10)!.minMs).toBe(PLAYOUT.maxMinDelayMs);
    expect(p.playoutDelay(PLAYOUT.windowMs - 100)!.minMs).toBe(PLAYOUT.maxMinDelayMs);
    expect(p.playoutDelay(10)!.maxMs).toBe(PLAYOUT.maxDelayMs);
    // the repairs leave the window: 0, and the receiver's own buffer is bounded again
    expect(p.playoutDelay(PLAYOUT.windowMs + 100)).toEqual({ minMs: 0, maxMs: PLAYOUT.idleMaxDelayMs });
    // a single late repair does not bring it back
    p.onRepair(900, PLAYOUT.windowMs + 200);
    expect(p.playoutDelay(PLAYOUT.windowMs + 300)!.minMs).toBe(0);
  });

  it('ignores absurd input', () => {
    const p = new RepairPolicy();
    p.onRepair(Number.NaN, 0);
    p.onRepair(-1, 0);
    p.onRepair(100, Number.POSITIVE_INFINITY);
    expect(p.playoutDelay(0)).toEqual({ minMs: 0, maxMs: PLAYOUT.idleMaxDelayMs });
  });
});
