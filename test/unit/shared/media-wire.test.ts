// The renderer → engine media wire: frames, s16 PCM, encoded chunks and decoder configs round-trip
// byte for byte; a message cut at any position, or with a bad header, is a typed error, never a throw.
import { describe, expect, it } from 'vitest';
import {
  decodeMedia, encodeAudio, encodeChunk, encodeConfig, encodeVideo, writeVideoHeader, MAX_CHUNK_BYTES, MEDIA_HEADER,
} from '../../../src/shared/media-wire';
import { ProtocolError } from '../../../src/shared/errors';

const ok = <T>(v: T | ProtocolError): T => {
  if (v instanceof ProtocolError) throw v;
  return v;
};

describe('media wire format', () => {
  it('round-trips an I420 frame byte for byte', () => {
    const f = new Uint8Array(16 * 8 * 1.5).map((_, i) => i & 0xff);
    const msg = encodeVideo(16, 8, 1_700_000_000_123_456, f);
    expect(msg.byteLength).toBe(MEDIA_HEADER + 192);
    expect([...msg.subarray(0, 4)]).toEqual([1, 2, 0, 0]);
    const d = ok(decodeMedia(msg));
    expect(d).toMatchObject({ kind: 'video', width: 16, height: 8, captureTimeUs: 1_700_000_000_123_456 });
    expect([...d.data]).toEqual([...f]);
  });

  it('round-trips s16 PCM, even from an unaligned offset', () => {
    const pcm = new Int16Array([16384, -16384, 8192, -32768]);
    const msg = encodeAudio(48000, 2, 42, pcm);
    const shifted = new Uint8Array(msg.byteLength + 1);
    shifted.set(msg, 1);
    const d = ok(decodeMedia(shifted.subarray(1)));
    expect(d).toMatchObject({ kind: 'audio', sampleRate: 48000, channels: 2, captureTimeUs: 42 });
    expect([...d.data]).toEqual([16384, -16384, 8192, -32768]);
  });

  it('round-trips an encoded chunk and a decoder config', () => {
    const avcc = new Uint8Array([0, 0, 0, 3, 0x65, 0x88, 0x80, 0, 0, 0, 1, 0x06]);
    const c = ok(decodeMedia(encodeChunk(7, true, 4321.6, 1_700_000_000_000_001, avcc)));
    expect(c).toMatchObject({ kind: 'chunk', group: 7, keyframe: true, encodeUs: 4322, captureTimeUs: 1_700_000_000_000_001 });
    expect(c.kind === 'chunk' && [...c.data]).toEqual([...avcc]);
    const d = ok(decodeMedia(encodeChunk(7, false, 0, 5, avcc)));
    expect(d).toMatchObject({ kind: 'chunk', keyframe: false });
    const cfg = ok(decodeMedia(encodeConfig(3, new Uint8Array([1, 0x42, 0xc0, 0x1f]))));
    expect(cfg).toMatchObject({ kind: 'config', group: 3 });
  });

  it('every truncation of every kind of message is a ProtocolError, never a throw', () => {
    const msgs = [
      encodeVideo(16, 8, 1, new Uint8Array(192)),
      encodeAudio(48000, 2, 1, new Int16Array(64)),
      encodeChunk(1, true, 10, 99, new Uint8Array(300).fill(7)),
      encodeConfig(1, new Uint8Array(20).fill(1)),
    ];
    for (const m of msgs) {
      for (let cut = 0; cut < m.byteLength; cut++) {
        const r = decodeMedia(m.subarray(0, cut));
        expect(r, `cut at ${cut}`).toBeInstanceOf(ProtocolError);
      }
      expect(decodeMedia(m)).not.toBeInstanceOf(ProtocolError);
    }
  });

  it('bad headers give a ProtocolError naming the cause', () => {
    const good = encodeVideo(16, 8, 1, new Uint8Array(192));
    const reason = (b: Uint8Array): string => (decodeMedia(b) as ProtocolError).message;
    expect(reason(good.subarray(0, 10))).toMatch(/shorter/);
    expect(reason(good.subarray(0, 100))).toMatch(/header says/);
    expect(reason(encodeVideo(15, 8, 1, new Uint8Array(180)))).toMatch(/bad frame size/);
    const kind = good.slice();
    kind[0] = 9;
    expect(reason(kind)).toMatch(/unknown media kind/);
    const ver = good.slice();
    ver[1] = 1;
    expect(reason(ver)).toMatch(/version/);
    const nan = good.slice();
    new DataView(nan.buffer).setFloat64(16, NaN, true);
    expect(reason(nan)).toMatch(/capture time/);
    const chunk = encodeChunk(1, true, 0, 1, new Uint8Array(4));
    chunk[2] = 0x06; // unknown flag bits
    expect(reason(chunk)).toMatch(/flags/);
    expect(reason(encodeChunk(1, true, 0, 1, new Uint8Array(0)))).toMatch(/empty/);
    expect(reason(encodeChunk(1, true, 0, 1, new Uint8Array(MAX_CHUNK_BYTES + 1)))).toMatch(/limit/);
    expect(reason(encodeConfig(1, new Uint8Array(0)))).toMatch(/decoder config/);
    const odd = encodeAudio(48000, 2, 1, new Int16Array(4));
    expect(reason(odd.subarray(0, odd.length - 2).slice().fill(0, 12, 16))).toMatch(/header says|whole frames/);
  });

  it('seeded junk never throws', () => {
    let seed = 12345;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < 20_000; i++) {
      const junk = new Uint8Array(Math.floor(rnd() * 64)).map(() => Math.floor(rnd() * 256));
      if (junk.length > 1) junk[1] = 2;
      const r = decodeMedia(junk);
      expect(r instanceof ProtocolError || typeof r === 'object').toBe(true);
    }
  });
});

describe('in-place video header', () => {
  it('writes the same bytes as encodeVideo around a payload already in place', () => {
    const pic = new Uint8Array(8 * 4 * 1.5).map((_, i) => (i * 7) & 0xff);
    const msg = new Uint8Array(MEDIA_HEADER + pic.length);
    msg.set(pic, MEDIA_HEADER);
    expect([...writeVideoHeader(msg, 8, 4, 99)]).toEqual([...encodeVideo(8, 4, 99, pic)]);
  });
});
