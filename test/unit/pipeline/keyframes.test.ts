// The one keyframe limiter: immediate when the last keyframe is old enough, one trailing request
// for a burst inside the window, cancelled by a keyframe produced meanwhile.
import { describe, expect, it, vi } from 'vitest';
import { KeyframeLimiter } from '../../../src/main/pipeline/keyframes';

describe('KeyframeLimiter', () => {
  it('forces at once, coalesces within the window, and a produced keyframe cancels the trailing one', async () => {
    let t = 1000;
    const force = vi.fn();
    const l = new KeyframeLimiter({ minIntervalMs: 50, force, now: () => t });
    l.request('pli');
    expect(force).toHaveBeenCalledTimes(1);
    t = 1010;
    l.request('pli');
    l.request('join');
    expect(force).toHaveBeenCalledTimes(1);
    expect(l.stats).toMatchObject({ requests: 3, forced: 1, coalesced: 2 });
    t = 1060;
    await new Promise((r) => setTimeout(r, 70));
    expect(force).toHaveBeenCalledTimes(2); // one trailing request for the two
    t = 1070;
    l.request('pli');
    l.keyframeProduced();
    await new Promise((r) => setTimeout(r, 70));
    expect(force).toHaveBeenCalledTimes(2);
    l.close();
  });

  it('a keyframe from the GOP counts: a request right after it waits for the window', () => {
    let t = 0;
    const force = vi.fn();
    const l = new KeyframeLimiter({ minIntervalMs: 100, force, now: () => t });
    t = 500;
    l.keyframeProduced();
    t = 520;
    l.request();
    expect(force).not.toHaveBeenCalled();
    t = 700;
    l.request();
    expect(force).toHaveBeenCalledTimes(1);
    l.close();
    l.request();
    expect(force).toHaveBeenCalledTimes(1);
  });
});
