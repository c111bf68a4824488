import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adtsToAudioSpecificConfig, buildAdtsHeader, parseAdtsHeader } from '../../../../src/main/protocol/aac/adts';
import { buildAudioSpecificConfig, parseAudioSpecificConfig, samplingFrequencyIndex } from '../../../../src/main/protocol/aac/asc';
import { ProtocolError } from '../../../../src/shared/errors';

const ADTS = new Uint8Array(readFileSync(join(__dirname, '../../../fixtures/aac/sine-48k-stereo.adts')));

describe('AudioSpecificConfig (14496-3 1.6.2.1)', () => {
  it('builds AAC-LC 48 kHz stereo as 0x11 0x90', () => {
    expect([...buildAudioSpecificConfig({ audioObjectType: 2, sampleRate: 48000, channels: 2 })]).toEqual([0x11, 0x90]);
    expect([...buildAudioSpecificConfig({ audioObjectType: 2, sampleRate: 44100, channels: 2 })]).toEqual([0x12, 0x10]);
    expect([...buildAudioSpecificConfig({ audioObjectType: 2, sampleRate: 44100, channels: 1 })]).toEqual([0x12, 0x08]);
  });
  it('round-trips through the parser', () => {
    for (const sampleRate of [8000, 16000, 22050, 32000, 44100, 48000, 96000]) {
      for (const channels of [1, 2, 6]) {
        expect(parseAudioSpecificConfig(buildAudioSpecificConfig({ audioObjectType: 2, sampleRate, channels }))).toEqual({ audioObjectType: 2, sampleRate, channels });
      }
    }
  });
  it('rejects untabled rates, bad channel counts and short input', () => {
    expect(() => samplingFrequencyIndex(47999)).toThrow(ProtocolError);
    expect(() => buildAudioSpecificConfig({ audioObjectType: 2, sampleRate: 48000, channels: 7 })).toThrow(ProtocolError);
    expect(() => parseAudioSpecificConfig(new Uint8Array([0x11]))).toThrow(ProtocolError);
  });
});

describe('ADTS header (14496-3 1.A.2)', () => {
  it('parses the header ffmpeg wrote', () => {
    const h = parseAdtsHeader(ADTS, 0);
    expect(h).toMatchObject({ headerLength: 7, audioObjectType: 2, sampleRate: 48000, channelConfiguration: 2, rawDataBlocks: 1 });
    expect(h.frameLength).toBeGreaterThan(7);
    expect([...adtsToAudioSpecificConfig(h)]).toEqual([0x11, 0x90]);
  });
  it('walks every frame of the fixture back to back', () => {
    let off = 0;
    let frames = 0;
    while (off < ADTS.length) {
      off += parseAdtsHeader(ADTS, off).frameLength;
      frames++;
    }
    expect(off).toBe(ADTS.length);
    expect(frames).toBe(13);
  });
  it('builds a header that parses back', () => {
    const hdr = buildAdtsHeader({ audioObjectType: 2, sampleRate: 44100, channels: 2, payloadLength: 300 });
    expect(parseAdtsHeader(hdr)).toMatchObject({ frameLength: 307, sampleRate: 44100, channelConfiguration: 2, headerLength: 7 });
  });
  it('rejects non-ADTS, truncated and reserved-rate headers', () => {
    expect(() => parseAdtsHeader(new Uint8Array(7))).toThrow(ProtocolError);
    expect(() => parseAdtsHeader(ADTS.subarray(0, 6))).toThrow(ProtocolError);
    const bad = ADTS.slice(0, 7);
    bad[2] = (bad[2]! & ~0x3c) | (13 << 2);
    expect(() => parseAdtsHeader(bad)).toThrow(ProtocolError);
  });
});
