import { describe, expect, it } from 'vitest';
import { SendQueue } from '../../../src/main/outputs/queue';
import { audioPacket, videoPacket, type EncodedPacket } from '../../../src/main/protocol/media';

const v = (ms: number, keyframe = false): EncodedPacket => videoPacket('h264', ms * 1000, ms * 1000, keyframe, [new Uint8Array(100)]);
const a = (ms: number): EncodedPacket => audioPacket('aac', ms * 1000, new Uint8Array(10));

/** 30 fps video with a keyframe every `gop` frames, interleaved with 48 kHz AAC (21.33 ms). */
function stream(seconds: number, gop = 60): EncodedPacket[] {
  const out: EncodedPacket[] = [];
  for (let i = 0; i < seconds * 30; i++) out.push(v((i * 1000) / 30, i % gop === 0));
  for (let i = 0; i < (seconds * 48000) / 1024; i++) out.push(a((i * 1024 * 1000) / 48000));
  return out.sort((x, y) => x.dts - y.dts);
}

describe('SendQueue drop policy (OBS)', () => {
  it('keeps everything under the threshold', () => {
    const q = new SendQueue({ dropThresholdMs: 900 });
    for (const p of stream(0.8)) expect(q.push(p)).toBe(true);
    expect(q.framesDropped).toBe(0);
    expect(q.durationMs).toBeLessThan(900);
  });
  it('never drops audio or keyframes, however congested', () => {
    const q = new SendQueue({ dropThresholdMs: 900 });
    const all = stream(10);
    for (const p of all) q.push(p);
    const left: EncodedPacket[] = [];
    for (let p = q.shift(); p; p = q.shift()) left.push(p);
    expect(left.filter((p) => p.track === 'audio')).toHaveLength(all.filter((p) => p.track === 'audio').length);
    expect(left.filter((p) => p.keyframe && p.track === 'video')).toHaveLength(5);
    expect(q.framesDropped).toBe(all.filter((p) => p.track === 'video' && !p.keyframe).length - left.filter((p) => p.track === 'video' && !p.keyframe).length);
    expect(q.framesDropped).toBeGreaterThan(0);
  });
  it('over the threshold drops queued non-key video and keeps dropping until the next keyframe', () => {
    const q = new SendQueue({ dropThresholdMs: 900 });
    const pushed: [number, boolean][] = [];
    for (const p of stream(4).filter((x) => x.track === 'video')) pushed.push([Math.round(p.dts / 1000), q.push(p)]);
    // Frame at ~933 ms crosses 900 ms of queue: it and everything non-key before it go; frames up
    // to the keyframe at 2000 ms are refused; the keyframe is accepted and resets the state.
    const refused = pushed.filter(([, ok]) => !ok).map(([t]) => t);
    expect(refused[0]).toBeGreaterThan(900);
    expect(refused[0]).toBeLessThan(1000);
    for (const [t, ok] of pushed) if (t >= refused[0]! && t < 2000) expect(ok).toBe(false);
    expect(pushed.find(([t]) => t === 2000)?.[1]).toBe(true);
    const kept: number[] = [];
    for (let p = q.shift(); p; p = q.shift()) kept.push(Math.round(p.dts / 1000));
    expect(kept).toContain(0);
    expect(kept).toContain(2000);
    expect(kept.filter((t) => t > 0 && t < 2000)).toEqual([]);
  });
  it('a draining consumer keeps the queue short and drops nothing', () => {
    const q = new SendQueue();
    for (const p of stream(10)) {
      q.push(p);
      while (q.length > 3) q.shift();
    }
    expect(q.framesDropped).toBe(0);
  });
  it('tracks bytes, congestion, peek and clear', () => {
    const q = new SendQueue({ dropThresholdMs: 1000 });
    q.push(v(0, true));
    q.push(a(10));
    q.push(v(500));
    expect(q.bytes).toBe(210);
    expect(q.durationMs).toBe(500);
    expect(q.congestion).toBeCloseTo(0.5);
    expect(q.peek()?.keyframe).toBe(true);
    q.shift();
    expect(q.bytes).toBe(110);
    q.clear();
    expect(q.length).toBe(0);
    expect(q.shift()).toBeUndefined();
  });
  it('compacts its storage on long runs without losing order', () => {
    const q = new SendQueue();
    let last = -1;
    for (let i = 0; i < 5000; i++) {
      q.push(a(i));
      if (i % 2) {
        const p = q.shift()!;
        expect(p.dts).toBeGreaterThan(last);
        last = p.dts;
      }
    }
    expect(q.length).toBe(2500);
  });
});
