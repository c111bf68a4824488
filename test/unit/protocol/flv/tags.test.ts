import { describe, expect, it } from 'vitest';
import { Amf0EcmaArray, decodeAmf0 } from '../../../../src/main/protocol/amf0/amf0';
import { nalusToAvcc, splitAnnexB } from '../../../../src/main/protocol/h264/annexb';
import { buildAvcDecoderConfigurationRecord as avcDecoderConfigurationRecord } from '../../../../src/main/protocol/h264/avcc';
import { NalType, nalType } from '../../../../src/main/protocol/h264/nal';
import { parseSps } from '../../../../src/main/protocol/h264/sps';

const annexBToAvcc = (b: Uint8Array) => nalusToAvcc(splitAnnexB(b).filter((n) => nalType(n) !== NalType.AUD));
import { encodeFlvTag, flvHeader } from '../../../../src/main/protocol/flv/file';
import { FlvReader } from '../../../helpers/flv-reader';
import {
  aacFrameTag, aacSequenceHeaderTag, avcEndOfSequenceTag, avcFrameTag, avcSequenceHeaderTag, exCodedFramesTag,
  exSequenceEndTag, exSequenceStartTag, fourCcNumber, parseAudioTag, parseVideoTag, setDataFrameBody,
} from '../../../../src/main/protocol/flv/tags';
import { ProtocolError } from '../../../../src/shared/errors';
import { fixture, hex, prng, toHex } from '../rtmp/helpers';

describe('legacy AVC and AAC tags (FLV 10.1 E.4.2.1, E.4.3.1), byte-exact', () => {
  it('AVC sequence header', () => {
    expect(toHex(avcSequenceHeaderTag(hex('0164001fffe1')))).toBe('17000000000164001fffe1');
  });
  it('AVC key frame, inter frame with negative composition time, end of sequence', () => {
    expect(toHex(avcFrameTag(hex('000000026588'), true))).toBe('1701000000000000026588');
    expect(toHex(avcFrameTag(hex('00000001419a'), false, -33))).toBe('2701ffffdf00000001419a');
    expect(toHex(avcFrameTag(hex('00'), false, 0x7fffff))).toBe('27017fffff00');
    expect(toHex(avcEndOfSequenceTag())).toBe('1702000000');
    expect(() => avcFrameTag(hex('00'), false, 0x800000)).toThrow(ProtocolError);
  });
  it('AAC sequence header and raw frame: 0xAF (format 10, 44 kHz, 16 bit, stereo)', () => {
    expect(toHex(aacSequenceHeaderTag(hex('1210')))).toBe('af001210');
    expect(toHex(aacFrameTag(hex('21100500')))).toBe('af0121100500');
  });
});

describe('Enhanced RTMP video tags, byte-exact', () => {
  it('SequenceStart / SequenceEnd', () => {
    expect(toHex(exSequenceStartTag('hvc1', hex('0102')))).toBe('90' + '68766331' + '0102');
    expect(toHex(exSequenceStartTag('av01', hex('81')))).toBe('90' + '61763031' + '81');
    expect(toHex(exSequenceEndTag('av01'))).toBe('92' + '61763031');
  });
  it('CodedFramesX when pts == dts, CodedFrames with SI24 composition time otherwise', () => {
    expect(toHex(exCodedFramesTag('hvc1', hex('aa'), true))).toBe('93' + '68766331' + 'aa');
    expect(toHex(exCodedFramesTag('hvc1', hex('aa'), true, 33))).toBe('91' + '68766331' + '000021' + 'aa');
    expect(toHex(exCodedFramesTag('hvc1', hex('aa'), false, -2))).toBe('a1' + '68766331' + 'fffffe' + 'aa');
    expect(toHex(exCodedFramesTag('avc1', hex('aa'), false))).toBe('a3' + '61766331' + 'aa');
  });
  it('av01 CodedFrames carry no composition time', () => {
    expect(toHex(exCodedFramesTag('av01', hex('aa'), true))).toBe('91' + '61763031' + 'aa');
    expect(toHex(exCodedFramesTag('av01', hex('aa'), false, 40))).toBe('a1' + '61763031' + 'aa');
  });
  it('FourCC numbers for onMetaData videocodecid', () => {
    expect(fourCcNumber('hvc1')).toBe(1752589105);
    expect(fourCcNumber('av01')).toBe(1635135537);
    expect(() => fourCcNumber('hvc')).toThrow(ProtocolError);
  });
  it('parses what it writes', () => {
    expect(parseVideoTag(exCodedFramesTag('hvc1', hex('aabb'), false, -5))).toEqual({
      enhanced: true, frameType: 2, codecId: 0, fourCc: 'hvc1', packetType: 1, cts: -5, data: hex('aabb'),
    });
    expect(parseVideoTag(exCodedFramesTag('av01', hex('aa'), true))).toMatchObject({ fourCc: 'av01', packetType: 1, cts: 0, data: hex('aa') });
    expect(parseVideoTag(avcFrameTag(hex('0102'), true, 66))).toEqual({
      enhanced: false, frameType: 1, codecId: 7, packetType: 1, cts: 66, data: hex('0102'),
    });
    expect(parseAudioTag(aacFrameTag(hex('01')))).toEqual({ soundFormat: 10, soundRate: 3, soundSize: 1, soundType: 1, packetType: 1, data: hex('01') });
  });
  it('truncated tags are ProtocolErrors', () => {
    expect(() => parseVideoTag(hex('17 01 00'))).toThrow(ProtocolError);
    expect(() => parseVideoTag(hex('91 6876'))).toThrow(ProtocolError);
    expect(() => parseVideoTag(hex('96 68766331'))).toThrow(/multitrack/);
    expect(() => parseAudioTag(hex(''))).toThrow(ProtocolError);
  });
});

describe('onMetaData (@setDataFrame)', () => {
  it('carries the fields in an ECMA array', () => {
    const body = setDataFrameBody({
      width: 1280, height: 720, framerate: 30, videodatarate: 2500, audiodatarate: 128, videocodecid: 7, audiocodecid: 10,
      audiosamplerate: 48000, audiochannels: 2, encoder: 'Tandem Studio',
    });
    expect(toHex(body.subarray(0, 16))).toBe('02000d40736574446174614672616d65'); // "@setDataFrame"
    const [a, b, c] = decodeAmf0(body);
    expect([a, b]).toEqual(['@setDataFrame', 'onMetaData']);
    expect(c).toBeInstanceOf(Amf0EcmaArray);
    expect((c as Amf0EcmaArray).entries).toEqual({
      duration: 0, fileSize: 0, width: 1280, height: 720, videocodecid: 7, videodatarate: 2500, framerate: 30, audiocodecid: 10,
      audiodatarate: 128, audiosamplerate: 48000, audiosamplesize: 16, stereo: true, audiochannels: 2, encoder: 'Tandem Studio',
    });
  });
  it('hvc1 as the videocodecid number', () => {
    const [, , c] = decodeAmf0(setDataFrameBody({ videocodecid: fourCcNumber('hvc1') }));
    expect((c as Amf0EcmaArray).entries.videocodecid).toBe(1752589105);
  });
});

describe('H.264 Annex B → AVCC and the decoder configuration record', () => {
  const stream = fixture('h264-two-frames.annexb.hex');
  const nals = splitAnnexB(stream);
  it('splits Annex B into NAL units', () => {
    expect(nals.map(nalType)).toEqual([9, 7, 8, 6, 5, 5, 9, 1, 1]);
    expect(splitAnnexB(hex('00000001 6788 000001 68 00000000'))).toEqual([hex('6788'), hex('68')]);
    expect(splitAnnexB(hex(''))).toEqual([]);
  });
  it('converts to 4-byte length prefixes without AUDs', () => {
    expect(toHex(annexBToAvcc(hex('00000001 0910 00000001 6588aa 000001 6501')))).toBe('000000036588aa' + '000000026501');
  });
  it('reads profile, level, chroma format and bit depths from the SPS', () => {
    expect(parseSps(nals[1]!)).toMatchObject({ profileIdc: 244, constraintFlags: 0, levelIdc: 31, chromaFormatIdc: 3, bitDepthLuma: 8, bitDepthChroma: 8 });
    expect(() => parseSps(hex('68ef'))).toThrow(ProtocolError);
  });
  it('builds the same sequence header as ffmpeg 5.1 (byte-exact)', () => {
    const record = avcDecoderConfigurationRecord([nals[1]!], [nals[2]!]);
    expect(toHex(avcSequenceHeaderTag(record))).toBe(toHex(fixture('ffmpeg-avc-sequence-header.hex')));
  });
  it('baseline profile records have no high-profile extension', () => {
    // a real constrained-Baseline SPS/PPS from libx264 (320x240)
    const sps = hex('6742c00dd90141fb0110000003001000000303c0f142a480');
    const pps = hex('68cb83cb20');
    expect(toHex(avcDecoderConfigurationRecord([sps], [pps]))).toBe('0142c00dffe10018' + '6742c00dd90141fb0110000003001000000303c0f142a480' + '01000568cb83cb20');
    expect(() => avcDecoderConfigurationRecord([], [])).toThrow(ProtocolError);
  });
});

describe('FLV file framing (E.2, E.3, E.4.1)', () => {
  it('header and tag bytes', () => {
    expect(toHex(flvHeader(true, true))).toBe('464c5601050000000900000000');
    expect(toHex(encodeFlvTag({ type: 9, timestamp: 0x01020304, body: hex('aa') }))).toBe('09000001020304010000' + '00' + 'aa' + '0000000c');
  });
  it('the reader gives the same tags at any split', () => {
    const tags = Array.from({ length: 20 }, (_, i) => ({ type: i % 2 ? 8 : 9, timestamp: i * 0x400000, body: new Uint8Array(i * 7).fill(i) }));
    const bytes = Buffer.concat([flvHeader(true, true), ...tags.map(encodeFlvTag)]);
    expect(new FlvReader().push(bytes)).toEqual(tags);
    const rand = prng(3);
    const r = new FlvReader();
    const got = [];
    for (let p = 0; p < bytes.length; ) {
      const n = 1 + ((rand() * 40) | 0);
      got.push(...r.push(bytes.subarray(p, p + n)));
      p += n;
    }
    expect(got).toEqual(tags);
    expect(() => new FlvReader().push(hex('000000000000000000'))).toThrow(ProtocolError);
  });
});
