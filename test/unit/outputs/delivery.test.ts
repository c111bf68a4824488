// The one delivery-delay figure: RTMP cumulative byte acknowledgements (32-bit, wrapping) and WHIP
// per-packet transport-wide feedback, both timed from the packet reaching the output.
import { describe, expect, it } from 'vitest';
import { DeliveryTracker } from '../../../src/main/outputs/delivery';

describe('DeliveryTracker', () => {
  it('RTMP: an acknowledgement times the newest packet it covers', () => {
    const d = new DeliveryTracker();
    d.sentUpTo(1000, 0);
    d.sentUpTo(2000, 10);
    d.sentUpTo(3000, 20);
    d.ackedUpTo(2500, 110); // covers the first two: the newest (queued at 10) took 100 ms
    expect(d.stats(110)).toEqual({ p50: 100, p95: 100, samples: 1 });
    d.ackedUpTo(3000, 70 + 20);
    expect(d.stats(90)?.samples).toBe(2);
    d.ackedUpTo(3000, 500); // nothing new covered: no sample
    expect(d.stats(500)?.samples).toBe(2);
  });

  it('RTMP: the 32-bit sequence wraps (§5.4.3) without losing track', () => {
    const d = new DeliveryTracker();
    const base = 2 ** 32 - 500;
    d.sentUpTo(base, 0);
    d.ackedUpTo(base >>> 0, 5);
    d.sentUpTo(base + 1000, 10); // past the wrap
    d.ackedUpTo((base + 1000) % 2 ** 32, 60);
    expect(d.stats(60)).toMatchObject({ samples: 2, p95: 50 });
    expect(d.acked).toBe(base + 1000);
  });

  it('WHIP: feedback for individual sequence numbers; unknown ones are ignored; old samples age out', () => {
    const d = new DeliveryTracker();
    for (let i = 0; i < 10; i++) d.sentSeq(65530 + i, i * 10); // wraps at 16 bits
    d.ackedSeqs([65530, 65531, 2, 777], 100); // newest known queued at 80 (seq 2 = 65538 & 0xffff)
    expect(d.stats(100)).toEqual({ p50: 20, p95: 20, samples: 1 });
    expect(d.stats(100 + 10_001)).toBeUndefined();
  });
});
