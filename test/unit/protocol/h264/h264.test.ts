import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { annexBToAvcc, joinAnnexB, nalusToAvcc, splitAnnexB, splitAvcc } from '../../../../src/main/protocol/h264/annexb';
import { buildAvcDecoderConfigurationRecord, parseAvcDecoderConfigurationRecord } from '../../../../src/main/protocol/h264/avcc';
import { BitReader, ebspToRbsp } from '../../../../src/main/protocol/h264/bitreader';
import { NalType, nalType } from '../../../../src/main/protocol/h264/nal';
import { parseSps } from '../../../../src/main/protocol/h264/sps';
import { ProtocolError } from '../../../../src/shared/errors';

const fx = (name: string): Uint8Array => new Uint8Array(readFileSync(join(__dirname, '../../../fixtures/h264', name)));
const SPS = fx('sps-720p-high.bin');
const PPS = fx('pps-720p-high.bin');
const AVCC = fx('avcc-720p-high.bin');

describe('Annex B', () => {
  it('splits 3- and 4-byte start codes and drops trailing zeros', () => {
    const buf = new Uint8Array([0, 0, 0, 1, 0x09, 0xf0, 0, 0, 1, 0x67, 1, 2, 0, 0, 0, 0, 1, 0x68, 3, 0, 0]);
    const nalus = splitAnnexB(buf);
    expect(nalus.map((n) => [...n])).toEqual([[0x09, 0xf0], [0x67, 1, 2], [0x68, 3]]);
  });
  it('ignores leading garbage and empty units', () => {
    expect(splitAnnexB(new Uint8Array([7, 7, 0, 0, 1, 0, 0, 1, 0x65, 9])).map((n) => [...n])).toEqual([[0x65, 9]]);
    expect(splitAnnexB(new Uint8Array([1, 2, 3]))).toEqual([]);
  });
  it('round-trips join/split and Annex B ↔ AVCC', () => {
    const nalus = [SPS, PPS, new Uint8Array([0x65, 0x88, 0x84, 0x00, 0x33])];
    const annexB = joinAnnexB(nalus);
    expect(splitAnnexB(annexB).map((n) => [...n])).toEqual(nalus.map((n) => [...n]));
    const avcc = annexBToAvcc(annexB);
    expect([...avcc.subarray(0, 4)]).toEqual([0, 0, 0, SPS.length]);
    expect(splitAvcc(avcc).map((n) => [...n])).toEqual(nalus.map((n) => [...n]));
    expect(splitAvcc(nalusToAvcc(nalus, 2), 2).length).toBe(3);
  });
  it('rejects truncated AVCC and oversize NALs for the length size', () => {
    expect(() => splitAvcc(new Uint8Array([0, 0, 0, 9, 1]))).toThrow(ProtocolError);
    expect(() => nalusToAvcc([new Uint8Array(300)], 1)).toThrow(ProtocolError);
  });
  it('reads NAL types', () => {
    expect(nalType(SPS)).toBe(NalType.SPS);
    expect(nalType(PPS)).toBe(NalType.PPS);
    expect(nalType(new Uint8Array())).toBe(-1);
  });
});

describe('bit reader', () => {
  it('removes emulation prevention bytes', () => {
    expect([...ebspToRbsp(new Uint8Array([0, 0, 3, 1, 0, 0, 3, 0, 3]))]).toEqual([0, 0, 1, 0, 0, 0, 3]);
  });
  it('decodes ue/se Exp-Golomb (9.1)', () => {
    // 1 | 010 | 011 | 00100 | 00101 → ue 0,1,2,3,4 ; se of the same codes: 0, 1, -1, 2, -2
    const bits = '1' + '010' + '011' + '00100' + '00101';
    const bytes = new Uint8Array(Math.ceil(bits.length / 8));
    [...bits].forEach((b, i) => (bytes[i >> 3]! |= Number(b) << (7 - (i & 7))));
    const r = new BitReader(bytes);
    expect([r.ue(), r.ue(), r.ue(), r.ue(), r.ue()]).toEqual([0, 1, 2, 3, 4]);
    const s = new BitReader(bytes);
    expect([s.se(), s.se(), s.se(), s.se(), s.se()]).toEqual([0, 1, -1, 2, -2]);
    expect(() => new BitReader(new Uint8Array([0, 0, 0, 0, 0])).ue()).toThrow(ProtocolError);
  });
});

describe('SPS (7.3.2.1.1)', () => {
  it('parses the libx264 720p High SPS', () => {
    const s = parseSps(SPS);
    expect(s).toMatchObject({ profileIdc: 100, levelIdc: 31, width: 1280, height: 720, chromaFormatIdc: 1, bitDepthLuma: 8, frameMbsOnly: true });
    expect(s.profileLevelId).toBe('64001f');
  });
  it('applies frame cropping (1080p = 1088 coded lines)', () => {
    // Re-encode-free check: a Baseline 1920x1080 SPS from x264 (crop bottom 4 units of 2 lines).
    const sps1080 = new Uint8Array([0x67, 0x42, 0xc0, 0x28, 0xd9, 0x00, 0x78, 0x02, 0x27, 0xe5, 0x84, 0x00, 0x00, 0x03, 0x00, 0x04, 0x00, 0x00, 0x03, 0x00, 0xf0, 0x3c, 0x60, 0xc9, 0x20]);
    expect(parseSps(sps1080)).toMatchObject({ profileIdc: 66, width: 1920, height: 1080 });
  });
  it('rejects non-SPS and truncated input with ProtocolError', () => {
    expect(() => parseSps(PPS)).toThrow(ProtocolError);
    for (let n = 1; n < 8; n++) expect(() => parseSps(SPS.subarray(0, n))).toThrow(ProtocolError);
  });
});

describe('AVCDecoderConfigurationRecord (14496-15 5.3.3.1)', () => {
  it('is byte-exact with the avcC ffmpeg wrote for the same SPS/PPS', () => {
    expect([...buildAvcDecoderConfigurationRecord([SPS], [PPS])]).toEqual([...AVCC]);
  });
  it('omits the High-profile extension for Baseline', () => {
    const base = new Uint8Array([0x67, 0x42, 0xc0, 0x1e, 0xd9, 0x00, 0xa0, 0x3d, 0xa1, 0x00, 0x00, 0x03, 0x00, 0x01, 0x00, 0x00, 0x03, 0x00, 0x3c, 0x8f, 0x16, 0x2e, 0x48]);
    const rec = buildAvcDecoderConfigurationRecord([base], [PPS]);
    expect([...rec.subarray(0, 6)]).toEqual([1, 0x42, 0xc0, 0x1e, 0xff, 0xe1]);
    expect(rec.length).toBe(6 + 2 + base.length + 1 + 2 + PPS.length);
  });
  it('parses back what it builds', () => {
    const p = parseAvcDecoderConfigurationRecord(buildAvcDecoderConfigurationRecord([SPS], [PPS], 4));
    expect(p).toMatchObject({ profileIdc: 100, levelIdc: 31, lengthSize: 4 });
    expect([...p.sps[0]!]).toEqual([...SPS]);
    expect([...p.pps[0]!]).toEqual([...PPS]);
  });
  it('rejects empty and truncated records', () => {
    expect(() => buildAvcDecoderConfigurationRecord([], [PPS])).toThrow(ProtocolError);
    for (let n = 0; n < 12; n++) expect(() => parseAvcDecoderConfigurationRecord(AVCC.subarray(0, n))).toThrow(ProtocolError);
  });
});
