import { describe, expect, it } from 'vitest';
import { VideoPacer, type PacedFrame } from '../../../src/main/pipeline/video-pacer';

const frame = (t: number): PacedFrame => ({ data: new Uint8Array([t & 0xff]), captureTimeUs: t });

describe('VideoPacer', () => {
  it('pushes one frame per tick: new ones at their capture time, repeats one interval apart', () => {
    const pushed: PacedFrame[] = [];
    const p = new VideoPacer(30, (f) => pushed.push(f), () => 0);
    p.stop();
    expect(p.tick()).toBeNull(); // nothing yet
    p.offer(frame(1_000_000));
    p.tick();
    p.tick(); // renderer late: repeat
    p.tick();
    p.offer(frame(1_050_000));
    p.offer(frame(1_100_000)); // supersedes the previous one
    p.tick();
    expect(pushed.map((f) => Math.round(f.captureTimeUs))).toEqual([1_000_000, 1_033_333, 1_066_667, 1_100_000]);
    expect(pushed[1]?.data).toBe(pushed[0]?.data);
    expect(p.stats).toEqual({ fresh: 2, repeated: 2, superseded: 1 });
  });

  it('keeps timestamps increasing when a new frame is older than a repeat', () => {
    const pushed: PacedFrame[] = [];
    const p = new VideoPacer(30, (f) => pushed.push(f), () => 0);
    p.stop();
    p.offer(frame(1_000_000));
    p.tick();
    p.tick();
    p.tick(); // last pts 1_066_667
    p.offer(frame(1_040_000)); // captured before the last repeat went out
    p.tick();
    const ts = pushed.map((f) => f.captureTimeUs);
    expect(ts[3]).toBeGreaterThan(ts[2] ?? Infinity);
  });

  it('fills the slots a late tick skipped with the picture that was showing, up to the new frame', () => {
    const pushed: PacedFrame[] = [];
    const p = new VideoPacer(30, (f) => pushed.push(f), () => 0);
    p.stop();
    p.offer(frame(1_000_000));
    p.tick();
    p.offer(frame(1_200_000)); // the next tick came 200 ms late: 5 slots skipped
    p.tick(5);
    const ts = pushed.map((f) => Math.round(f.captureTimeUs));
    expect(ts).toEqual([1_000_000, 1_033_333, 1_066_667, 1_100_000, 1_133_333, 1_166_667, 1_200_000]);
    expect(pushed.slice(1, 6).every((f) => f.data === pushed[0]?.data)).toBe(true);
    expect(pushed[6]?.data).not.toBe(pushed[0]?.data);
    // No new frame: the skipped slots and this one are all repeats.
    p.tick(2);
    expect(pushed.slice(7).map((f) => Math.round(f.captureTimeUs))).toEqual([1_233_333, 1_266_667, 1_300_000]);
    expect(p.stats).toMatchObject({ fresh: 2, repeated: 8 });
  });

  it('repeats up to the slot when the frame it took was captured before a stall', () => {
    const pushed: PacedFrame[] = [];
    const p = new VideoPacer(30, (f) => pushed.push(f), () => 0);
    p.stop();
    p.offer(frame(1_000_000));
    p.tick(0, 1_000_000);
    p.offer(frame(1_033_333)); // captured on time, taken by a tick 200 ms late
    p.tick(6, 1_233_333);
    const ts = pushed.map((f) => Math.round(f.captureTimeUs));
    expect(ts.length).toBe(8); // the new frame, then repeats one interval apart up to the slot
    expect(ts.slice(1).map((t, i) => t - ts[i]!).every((d) => d >= 33_333 && d <= 33_334)).toBe(true);
    expect(ts.at(-1)).toBeGreaterThan(1_233_333 - 33_334);
    expect(ts.at(-1)).toBeLessThanOrEqual(1_233_333);
    // the next new frame, captured now, follows one interval later: no hole
    p.offer(frame(1_266_667));
    p.tick(0, 1_266_667);
    expect(Math.round(pushed.at(-1)!.captureTimeUs) - ts.at(-1)!).toBeLessThanOrEqual(33_334);
  });
});
