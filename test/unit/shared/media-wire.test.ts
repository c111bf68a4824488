import { describe, expect, it } from 'vitest';
import { decodeMedia, encodeAudio, encodeVideo, MEDIA_HEADER } from '../../../src/shared/media-wire';

describe('media wire format', () => {
  it('round-trips an I420 frame byte for byte', () => {
    const f = new Uint8Array(16 * 8 * 1.5).map((_, i) => i & 0xff);
    const msg = encodeVideo(16, 8, 1_700_000_000_123_456, f);
    expect(msg.byteLength).toBe(MEDIA_HEADER + 192);
    expect([...msg.subarray(0, 4)]).toEqual([1, 1, 0, 0]);
    const d = decodeMedia(msg);
    expect(d).toMatchObject({ kind: 'video', width: 16, height: 8, captureTimeUs: 1_700_000_000_123_456 });
    expect(typeof d === 'object' && [...d.data]).toEqual([...f]);
  });

  it('round-trips PCM, even from an unaligned offset', () => {
    const pcm = new Float32Array([0.5, -0.5, 0.25, -1]);
    const msg = encodeAudio(48000, 2, 42, pcm);
    const shifted = new Uint8Array(msg.byteLength + 1);
    shifted.set(msg, 1);
    const d = decodeMedia(shifted.subarray(1));
    expect(d).toMatchObject({ kind: 'audio', sampleRate: 48000, channels: 2, captureTimeUs: 42 });
    expect(typeof d === 'object' && [...d.data]).toEqual([0.5, -0.5, 0.25, -1]);
  });

  it('rejects malformed messages with a reason instead of throwing', () => {
    const good = encodeVideo(16, 8, 1, new Uint8Array(192));
    expect(decodeMedia(good.subarray(0, 10))).toMatch(/shorter/);
    expect(decodeMedia(good.subarray(0, 100))).toMatch(/header says/);
    const badSize = encodeVideo(15, 8, 1, new Uint8Array(180));
    expect(decodeMedia(badSize)).toMatch(/bad frame size/);
    const kind = good.slice();
    kind[0] = 9;
    expect(decodeMedia(kind)).toMatch(/unknown media kind/);
    const ver = good.slice();
    ver[1] = 2;
    expect(decodeMedia(ver)).toMatch(/version/);
    const nan = good.slice();
    new DataView(nan.buffer).setFloat64(16, NaN, true);
    expect(decodeMedia(nan)).toMatch(/capture time/);
    for (let i = 0; i < 2000; i++) {
      const junk = new Uint8Array(Math.floor(Math.random() * 64)).map(() => Math.floor(Math.random() * 256));
      expect(['string', 'object']).toContain(typeof decodeMedia(junk));
    }
  });
});

describe('in-place video header', () => {
  it('writes the same bytes as encodeVideo around a payload already in place', async () => {
    const { writeVideoHeader } = await import('../../../src/shared/media-wire');
    const pic = new Uint8Array(8 * 4 * 1.5).map((_, i) => (i * 7) & 0xff);
    const msg = new Uint8Array(MEDIA_HEADER + pic.length);
    msg.set(pic, MEDIA_HEADER);
    expect([...writeVideoHeader(msg, 8, 4, 99)]).toEqual([...encodeVideo(8, 4, 99, pic)]);
  });
});
