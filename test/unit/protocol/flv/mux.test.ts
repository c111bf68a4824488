// The one FLV muxer (RTMP and recording): tags from the engine's access units, NAL units
// length-prefixed once, timestamps from the first packet, composition time, sequence headers.
import { describe, expect, it } from 'vitest';
import { FlvMuxer, flvTracks, joinParts } from '../../../../src/main/protocol/flv/mux';
import { FlvTagType } from '../../../../src/main/protocol/flv/file';
import { parseAudioTag, parseVideoTag } from '../../../../src/main/protocol/flv/tags';
import { parseAvcDecoderConfigurationRecord } from '../../../../src/main/protocol/h264/avcc';
import { splitAvcc } from '../../../../src/main/protocol/h264/annexb';
import { audioPacket, videoPacket, type AacConfig, type H264Config } from '../../../../src/main/protocol/media';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const fx = (p: string): Uint8Array => new Uint8Array(readFileSync(join(__dirname, '../../../fixtures', p)));
const SPS = fx('h264/sps-720p-high.bin');
const PPS = fx('h264/pps-720p-high.bin');
const VIDEO: H264Config = { codec: 'h264', width: 1280, height: 720, fps: 30, sps: [SPS], pps: [PPS] };
const AUDIO: AacConfig = { codec: 'aac', sampleRate: 48000, channels: 2, asc: new Uint8Array([0x11, 0x90]) };

describe('FlvMuxer', () => {
  it('sequence headers carry the avcC and the AudioSpecificConfig', () => {
    const mux = new FlvMuxer(flvTracks([VIDEO, AUDIO, { codec: 'opus', sampleRate: 48000, channels: 2 }]));
    const [v, a] = mux.headers();
    expect(v?.type).toBe(FlvTagType.Video);
    const tag = parseVideoTag(v!.body);
    expect(tag).toMatchObject({ codecId: 7, packetType: 0, frameType: 1 });
    expect(parseAvcDecoderConfigurationRecord(tag.data).sps).toEqual([SPS]);
    expect(parseAudioTag(a!.body)).toMatchObject({ soundFormat: 10, packetType: 0 });
    expect(mux.hasAudio && mux.hasVideo).toBe(true);
  });

  it('frames: NAL units length-prefixed once (AUDs and filler left out), timestamps from the first packet, cts', () => {
    const mux = new FlvMuxer({ video: VIDEO, audio: AUDIO });
    const idr = new Uint8Array([0x65, 0x88, 0x80, 0x21]);
    const aud = new Uint8Array([0x09, 0xf0]);
    const t0 = 7_000_000_123;
    const v = mux.parts(videoPacket('h264', t0 + 40_000, t0, true, [aud, SPS, PPS, idr]))!;
    expect(v.timestamp).toBe(0);
    expect(v.size).toBe(v.parts.reduce((n, p) => n + p.length, 0));
    const tag = parseVideoTag(joinParts(v).body);
    expect(tag).toMatchObject({ codecId: 7, packetType: 1, frameType: 1, cts: 40 });
    expect(splitAvcc(tag.data, 4).map((n) => n[0])).toEqual([SPS[0], PPS[0], 0x65]);
    // the NAL units themselves are not copied into the parts
    expect(v.parts.includes(idr)).toBe(true);
    const a = mux.tag(audioPacket('aac', t0 + 21_333, new Uint8Array([1, 2, 3])))!;
    expect([a.type, a.timestamp]).toEqual([FlvTagType.Audio, 21]);
    expect(parseAudioTag(a.body).data).toEqual(new Uint8Array([1, 2, 3]));
    const p = mux.tag(videoPacket('h264', t0 + 33_400, t0 + 33_400, false, [new Uint8Array([0x41, 0x9a])]))!;
    expect(p.timestamp).toBe(33);
    expect(parseVideoTag(p.body)).toMatchObject({ frameType: 2, cts: 0 });
    mux.rebase();
    expect(mux.tag(audioPacket('aac', t0 + 90_000, new Uint8Array([4])))!.timestamp).toBe(0);
  });

  it('codecs FLV track 0 does not carry are left out; a new config replaces the headers', () => {
    const mux = new FlvMuxer({ video: VIDEO });
    expect(mux.tag(audioPacket('opus', 1, new Uint8Array([1])))).toBeUndefined();
    expect(mux.tag(audioPacket('aac', 1, new Uint8Array([1])))).toBeUndefined(); // no AAC track
    mux.update({ ...VIDEO, width: 640, height: 360 });
    mux.update(AUDIO);
    expect(mux.headers().map((h) => h.type)).toEqual([FlvTagType.Video, FlvTagType.Audio]);
    const meta = new TextDecoder('latin1').decode(mux.metadata({ encoder: 'Tandem Studio', videodatarate: 2500 }));
    expect(meta).toContain('onMetaData');
    expect(meta).toContain('Tandem Studio');
  });
});
