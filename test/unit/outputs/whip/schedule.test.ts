// PresentationScheduler: one pts → wall-clock offset for both tracks, set by the slower track.
import { describe, expect, it } from 'vitest';
import { PresentationScheduler } from '../../../../src/main/outputs/whip/schedule';
import { audioPacket, videoPacket, type EncodedPacket } from '../../../../src/main/protocol/media';

const pkt = (track: 'audio' | 'video', pts: number): EncodedPacket =>
  track === 'video' ? videoPacket('h264', pts, pts, true, [new Uint8Array(1)]) : audioPacket('opus', pts, new Uint8Array(1));

describe('PresentationScheduler', () => {
  it('releases a single track as it arrives (offset = its own lag)', () => {
    const s = new PresentationScheduler();
    s.push(pkt('video', 0), 50_000);
    expect(s.takeDue(50_000).length).toBe(1);
    s.push(pkt('video', 33_333), 83_333);
    expect(s.takeDue(83_333).length).toBe(1);
    expect(s.length).toBe(0);
  });

  it('holds the faster track to the slower one’s latency so both leave at pts + the same offset', () => {
    const s = new PresentationScheduler();
    // Video arrives 40 ms after its pts, audio 300 ms after (e.g. muxer page buffering).
    s.push(pkt('video', 1_000_000), 1_040_000);
    s.push(pkt('audio', 760_000), 1_060_000);
    expect(s.skewUs).toBe(260_000);
    expect(s.takeDue(1_060_000).map((p) => p.track)).toEqual(['audio']);
    expect(s.nextDueIn(1_060_000)).toBe(240_000); // video due at 1_000_000 + 300_000
    expect(s.takeDue(1_299_999)).toEqual([]);
    expect(s.takeDue(1_300_000).map((p) => p.pts)).toEqual([1_000_000]);
  });

  it('never holds longer than maxHold past arrival', () => {
    const s = new PresentationScheduler(200_000);
    s.push(pkt('audio', 0), 2_000_000); // 2 s late audio
    s.push(pkt('video', 2_000_000), 2_010_000);
    expect(s.takeDue(2_010_000).map((p) => p.track)).toEqual(['audio']);
    expect(s.nextDueIn(2_010_000)).toBe(200_000); // not 2 s: the hold is capped
  });

  it('adopts a higher lag at once and decays slowly toward a lower one', () => {
    const s = new PresentationScheduler(1_000_000, 0.5);
    s.push(pkt('video', 0), 100_000);
    s.push(pkt('video', 100_000), 300_000); // lag 200 ms: adopted
    s.takeDue(10_000_000);
    s.push(pkt('video', 1_000_000), 1_100_000); // lag 100 ms: halfway → 150 ms
    expect(s.nextDueIn(1_100_000)).toBe(50_000);
  });

  it('clear() forgets held packets and lags', () => {
    const s = new PresentationScheduler();
    s.push(pkt('audio', 0), 500_000);
    s.push(pkt('video', 500_000), 500_000);
    s.clear();
    expect(s.length).toBe(0);
    expect(s.skewUs).toBe(0);
    expect(s.nextDueIn(0)).toBeUndefined();
  });
});
