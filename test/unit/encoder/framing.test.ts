import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AdtsFramer, AnnexBFramer, OggOpusFramer } from '../../../src/main/encoder/framing';
import { NalType, nalType } from '../../../src/main/protocol/h264/nal';

const fx = (p: string): Uint8Array => new Uint8Array(readFileSync(join(__dirname, '../../fixtures', p)));
const H264 = fx('h264/testsrc-320x240-15f.h264');
const ADTS = fx('aac/sine-48k-stereo.adts');
const OGG = fx('ogg/sine-48k-stereo.opus');

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function annexB(chunks: Uint8Array[]): string[] {
  const f = new AnnexBFramer();
  const aus = [...chunks.flatMap((c) => f.push(c)), ...f.flush()];
  return aus.map((au) => `${au.keyframe ? 'K' : 'P'}:${au.nalus.map(hex).join('|')}`);
}
const adts = (chunks: Uint8Array[]): string[] => {
  const f = new AdtsFramer();
  return chunks.flatMap((c) => f.push(c)).map((fr) => `${fr.header.frameLength}:${hex(fr.payload)}`);
};
const ogg = (chunks: Uint8Array[]): string[] => {
  const f = new OggOpusFramer();
  return chunks.flatMap((c) => {
    const o = f.push(c);
    return [...(o.head ? [`head:${o.head.preSkip}`] : []), ...o.packets.map((p) => `${p.samples}:${hex(p.data)}`)];
  });
};

/** Every split of `buf` into two pushes, plus byte-by-byte and a few random splits. */
function splits(buf: Uint8Array, step = 1): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  for (let i = 0; i <= buf.length; i += step) out.push([buf.subarray(0, i), buf.subarray(i)]);
  out.push([...buf].map((b) => new Uint8Array([b])));
  let seed = 42;
  for (let r = 0; r < 5; r++) {
    const parts: Uint8Array[] = [];
    for (let o = 0; o < buf.length; ) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const n = 1 + (seed % 3000);
      parts.push(buf.subarray(o, o + n));
      o += n;
    }
    out.push(parts);
  }
  return out;
}

describe('AnnexBFramer', () => {
  const whole = annexB([H264]);
  it('splits the libx264 stream into its 15 access units, AUDs removed', () => {
    expect(whole).toHaveLength(15);
    const f = new AnnexBFramer();
    const aus = [...f.push(H264), ...f.flush()];
    expect(aus.map((a) => a.keyframe)).toEqual(aus.map((_, i) => i % 10 === 0));
    for (const au of aus) expect(au.nalus.some((n) => nalType(n) === NalType.AUD)).toBe(false);
    // In-band SPS/PPS on every IDR.
    for (const au of aus.filter((a) => a.keyframe)) {
      expect(au.nalus.map(nalType)).toEqual(expect.arrayContaining([NalType.SPS, NalType.PPS, NalType.IDR]));
    }
  });
  it('gives the same access units for every split position, byte by byte and random splits', () => {
    for (const chunks of splits(H264)) expect(annexB(chunks)).toEqual(whole);
  });
  it('lags one access unit until the next starts (or flush)', () => {
    const f = new AnnexBFramer();
    expect(f.push(H264).length).toBe(14);
    expect(f.flush().length).toBe(1);
  });
  it('finds AU boundaries without AUDs (first_mb_in_slice / parameter sets)', () => {
    const f = new AnnexBFramer();
    const noAud = f.push(H264).concat(f.flush()).flatMap((au) => au.nalus);
    const sc = (n: Uint8Array): number[] => [0, 0, 0, 1, ...n];
    const g = new AnnexBFramer();
    const aus = [...g.push(new Uint8Array(noAud.flatMap(sc))), ...g.flush()];
    expect(aus).toHaveLength(15);
  });
  it('ignores garbage before the first start code and empty input', () => {
    expect(annexB([new Uint8Array([5, 6, 7]), H264])).toEqual(whole);
    expect(annexB([new Uint8Array(0)])).toEqual([]);
  });
});

describe('AdtsFramer', () => {
  const whole = adts([ADTS]);
  it('yields the 13 raw frames without headers', () => {
    expect(whole).toHaveLength(13);
  });
  it('gives the same frames for every split position', () => {
    for (const chunks of splits(ADTS)) expect(adts(chunks)).toEqual(whole);
  });
  it('resyncs after garbage', () => {
    const f = new AdtsFramer();
    const junk = new Uint8Array([1, 2, 0xff, 0x00, 3]);
    const got = f.push(new Uint8Array([...junk, ...ADTS]));
    expect(got).toHaveLength(13);
    expect(f.skippedBytes).toBe(junk.length);
  });
});

describe('OggOpusFramer', () => {
  const whole = ogg([OGG]);
  it('yields OpusHead then the audio packets (OpusTags skipped)', () => {
    expect(whole[0]).toMatch(/^head:\d+$/);
    expect(whole.slice(1).every((s) => s.startsWith('960:'))).toBe(true);
    expect(whole).toHaveLength(14);
  });
  it('gives the same packets for every split position', () => {
    for (const chunks of splits(OGG)) expect(ogg(chunks)).toEqual(whole);
  });
  it('skips a corrupted page and carries on', () => {
    const bad = OGG.slice();
    bad[bad.length - 10] = bad[bad.length - 10]! ^ 0x55; // last page CRC now wrong
    const got = ogg([bad]);
    expect(got.length).toBeLessThan(whole.length);
    expect(got.slice(0, 5)).toEqual(whole.slice(0, 5));
  });
});
