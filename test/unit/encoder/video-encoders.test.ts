import { describe, expect, it } from 'vitest';
import { buildEncoderArgs, VIDEO_ENCODERS } from '../../../src/main/encoder/args';
import { DEFAULT_SETTINGS } from '../../../src/main/encoder/encoder';

describe('video encoder choice', () => {
  it.each(VIDEO_ENCODERS)('%s: no B-frames, a fixed GOP, the bitrate, Annex B with AUDs', (enc) => {
    const { args } = buildEncoderArgs({ kind: 'raw' }, { ...DEFAULT_SETTINGS, videoEncoder: enc, keyintSec: 2, fps: 30, videoBitrateKbps: 4000 });
    const at = (flag: string) => args[args.indexOf(flag) + 1];
    expect(at('-c:v')).toBe(enc);
    expect(at('-bf')).toBe('0');
    expect(at('-g')).toBe('60');
    expect(at('-keyint_min')).toBe('60');
    expect(at('-b:v')).toBe('4000k');
    expect(at('-bsf:v')).toBe('h264_metadata=aud=insert');
    expect(at('-f')).toBeDefined();
  });

  it('uploads frames to the GPU for VAAPI only', () => {
    const vaapi = buildEncoderArgs({ kind: 'raw' }, { ...DEFAULT_SETTINGS, videoEncoder: 'h264_vaapi' }).args;
    expect(vaapi[vaapi.indexOf('-vf') + 1]).toMatch(/format=nv12,hwupload$/);
    const x264 = buildEncoderArgs({ kind: 'raw' }, { ...DEFAULT_SETTINGS }).args;
    expect(x264.join(' ')).not.toContain('hwupload');
    expect(x264[x264.indexOf('-tune') + 1]).toBe('zerolatency');
  });
});
