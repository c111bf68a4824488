import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HeaderType, OggPacketAssembler, oggCrc, parseOggPage } from '../../../../src/main/protocol/ogg/page';
import { isOpusHead, isOpusTags, opusPacketSamples, parseOpusHead } from '../../../../src/main/protocol/ogg/opus';
import { ProtocolError } from '../../../../src/shared/errors';

const OGG = new Uint8Array(readFileSync(join(__dirname, '../../../fixtures/ogg/sine-48k-stereo.opus')));

function pages(buf: Uint8Array) {
  const out = [];
  let off = 0;
  while (off < buf.length) {
    const p = parseOggPage(buf, off);
    if (!p) throw new Error('truncated');
    out.push(p);
    off += p.length;
  }
  return out;
}

/** Build a page (RFC 3533 6) around `body` with the given lacing values. */
function makePage(headerType: number, granule: bigint, seq: number, lacing: number[], body: Uint8Array): Uint8Array {
  const out = new Uint8Array(27 + lacing.length + body.length);
  out.set([0x4f, 0x67, 0x67, 0x53, 0, headerType]);
  const v = new DataView(out.buffer);
  v.setBigInt64(6, granule, true);
  v.setUint32(14, 7, true);
  v.setUint32(18, seq, true);
  out[26] = lacing.length;
  out.set(lacing, 27);
  out.set(body, 27 + lacing.length);
  v.setUint32(22, oggCrc(out), true);
  return out;
}

describe('Ogg pages (RFC 3533)', () => {
  it('parses every page of the libopus fixture with valid CRCs', () => {
    const ps = pages(OGG);
    expect(ps.length).toBeGreaterThan(3);
    expect(ps[0]!.headerType & HeaderType.BOS).toBeTruthy();
    expect(ps[ps.length - 1]!.headerType & HeaderType.EOS).toBeTruthy();
    expect(ps.map((p) => p.sequence)).toEqual(ps.map((_, i) => i));
  });
  it('needs more data on a partial page and rejects a bad CRC', () => {
    expect(parseOggPage(OGG.subarray(0, 30))).toBeUndefined();
    const bad = OGG.slice();
    bad[30] = bad[30]! ^ 0xff;
    expect(() => parseOggPage(bad)).toThrow(ProtocolError);
    expect(() => parseOggPage(new Uint8Array(40))).toThrow(ProtocolError);
  });
  it('reassembles a packet continued across pages (255 lacing)', () => {
    const big = new Uint8Array(300).map((_, i) => i & 0xff);
    const p1 = parseOggPage(makePage(HeaderType.BOS, -1n, 0, [255], big.subarray(0, 255)))!;
    const p2 = parseOggPage(makePage(HeaderType.CONTINUED, 960n, 1, [45, 3], new Uint8Array([...big.subarray(255), 9, 9, 9])))!;
    const a = new OggPacketAssembler();
    expect(a.push(p1)).toEqual([]);
    const got = a.push(p2);
    expect(got.map((p) => p.data.length)).toEqual([300, 3]);
    expect([...got[0]!.data]).toEqual([...big]);
    expect(got[1]!.granulePosition).toBe(960n);
    expect(got[0]!.granulePosition).toBeUndefined();
  });
  it('skips the tail of a packet whose start was lost', () => {
    const p = parseOggPage(makePage(HeaderType.CONTINUED, 100n, 5, [10, 4], new Uint8Array(14)))!;
    expect(new OggPacketAssembler().push(p).map((x) => x.data.length)).toEqual([4]);
  });
});

describe('Opus in Ogg (RFC 7845, RFC 6716 3.1)', () => {
  it('reads OpusHead and OpusTags from the fixture', () => {
    const a = new OggPacketAssembler();
    const pkts = pages(OGG).flatMap((p) => a.push(p));
    expect(isOpusHead(pkts[0]!.data)).toBe(true);
    expect(isOpusTags(pkts[1]!.data)).toBe(true);
    const head = parseOpusHead(pkts[0]!.data);
    expect(head).toMatchObject({ version: 1, channels: 2, inputSampleRate: 48000, mappingFamily: 0 });
    expect(head.preSkip).toBeGreaterThan(0);
    const audio = pkts.slice(2);
    expect(audio.every((p) => opusPacketSamples(p.data) === 960)).toBe(true);
    // The last page's granule = pre-skip + all samples (RFC 7845 4), minus end trimming.
    const last = pages(OGG).pop()!.granulePosition;
    expect(Number(last)).toBeLessThanOrEqual(head.preSkip + audio.length * 960);
  });
  it('computes packet durations from the TOC byte', () => {
    expect(opusPacketSamples(new Uint8Array([(31 << 3) | 0]))).toBe(960); // CELT 20 ms, 1 frame
    expect(opusPacketSamples(new Uint8Array([(0 << 3) | 1]))).toBe(960); // SILK 10 ms ×2
    expect(opusPacketSamples(new Uint8Array([(1 << 3) | 3, 3]))).toBe(2880); // SILK 20 ms ×3
    expect(opusPacketSamples(new Uint8Array([(16 << 3) | 0]))).toBe(120); // CELT 2.5 ms
    expect(() => opusPacketSamples(new Uint8Array([])).valueOf()).toThrow(ProtocolError);
    expect(() => opusPacketSamples(new Uint8Array([3 | (3 << 3), 0]))).toThrow(ProtocolError);
    expect(() => parseOpusHead(new Uint8Array(10))).toThrow(ProtocolError);
  });
});
