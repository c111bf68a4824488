import { describe, expect, it } from 'vitest';
import { FrameClock } from '../../../src/shared/frame-clock';

describe('FrameClock', () => {
  it('ticks once per frame interval on exact deadlines', () => {
    const c = new FrameClock(30, 1000);
    expect(c.tick(1000)).toEqual({ index: 0, timeMs: 1000, skipped: 0 });
    expect(c.tick(1010)).toBeNull();
    const t = c.tick(1034);
    expect(t?.index).toBe(1);
    expect(t?.timeMs).toBeCloseTo(1033.333, 2);
    expect(c.delayUntilNext(1034)).toBeCloseTo(32.667, 2);
    expect(c.framesDropped).toBe(0);
  });

  it('counts skipped frames as dropped and late ticks as late', () => {
    const c = new FrameClock(30, 0);
    c.tick(0);
    const t = c.tick(120); // frames 1, 2 were missed; frame 3 (100 ms) is 20 ms late
    expect(t).toEqual({ index: 3, timeMs: 100, skipped: 2 });
    expect(c.framesDropped).toBe(2);
    expect(c.framesLate).toBe(1);
    expect(c.framesRendered).toBe(2);
    expect(c.tick(133.4)?.index).toBe(4);
    expect(c.framesLate).toBe(1);
  });
});
