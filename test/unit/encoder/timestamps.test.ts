import { describe, expect, it } from 'vitest';
import { AudioClock, MonotonicGuard, VideoClock, nowUs } from '../../../src/main/encoder/timestamps';

describe('VideoClock', () => {
  it('native sources: anchor + n/fps', () => {
    const c = new VideoClock(30, 1_000_000);
    expect([c.frameOut(), c.frameOut(), c.frameOut()]).toEqual([1_000_000, 1_033_333, 1_066_667]);
  });
  it('pushed frames: the n-th AU takes the n-th capture time, gaps preserved', () => {
    const c = new VideoClock(30);
    for (const t of [5_000_000, 5_033_000, 5_100_000]) c.frameIn(t); // one frame dropped upstream
    expect([c.frameOut(), c.frameOut(), c.frameOut()]).toEqual([5_000_000, 5_033_000, 5_100_000]);
    expect(c.pendingFrames).toBe(0);
  });
  it('is strictly monotonic even when capture time jumps back', () => {
    const c = new VideoClock(30);
    for (const t of [100, 200, 150, 150, 300]) c.frameIn(t);
    const out = [1, 2, 3, 4, 5].map(() => c.frameOut());
    for (let i = 1; i < out.length; i++) expect(out[i]!).toBeGreaterThan(out[i - 1]!);
    expect(c.corrections).toBe(2);
  });
  it('stays monotonic over a long CFR run', () => {
    const c = new VideoClock(29.97, 0);
    let last = -1;
    for (let i = 0; i < 100_000; i++) {
      const t = c.frameOut();
      expect(t > last).toBe(true);
      last = t;
    }
  });
});

describe('AudioClock', () => {
  it('native: sample index → anchor time, priming before the anchor', () => {
    const a = new AudioClock(48000);
    a.setAnchor(2_000_000);
    expect(a.packetTime('aac', -1024)).toBe(2_000_000 - 21_333);
    expect(a.packetTime('aac', 0)).toBe(2_000_000);
    expect(a.packetTime('aac', 48000)).toBe(3_000_000);
  });
  it('pushed PCM: each block keeps its own capture time', () => {
    const a = new AudioClock(48000);
    a.pcmIn(480, 10_000_000);
    a.pcmIn(480, 10_010_000);
    a.pcmIn(480, 10_500_000); // a gap in capture
    expect(a.timeOfSample(0)).toBe(10_000_000);
    expect(a.timeOfSample(240)).toBe(10_005_000);
    expect(a.timeOfSample(960)).toBe(10_500_000);
    expect(a.timeOfSample(1200)).toBe(10_505_000);
  });
  it('is monotonic per track', () => {
    const a = new AudioClock(48000);
    a.pcmIn(1024, 1000);
    a.pcmIn(1024, 500); // clock went backwards
    const t1 = a.packetTime('opus', 0);
    const t2 = a.packetTime('opus', 1024);
    expect(t2).toBeGreaterThan(t1);
    expect(a.packetTime('aac', 0)).toBe(1000); // other track unaffected
  });
});

describe('clocks', () => {
  it('MonotonicGuard nudges by 1 µs', () => {
    const g = new MonotonicGuard();
    expect([g.next(10), g.next(10), g.next(5), g.next(20)]).toEqual([10, 11, 12, 20]);
  });
  it('nowUs is wall-clock microseconds', () => {
    expect(Math.abs(nowUs() / 1000 - Date.now())).toBeLessThan(1000);
  });
});
