// Encoder-group keying in the MediaSession: outputs asking for the same bitrate share one encode,
// another bitrate gets its own, a group goes with its last output, and the renderer is told
// exactly which WebCodecs encodes to run (with their codec strings). The audio encoder is a real
// ffmpeg (audio only); video comes from WebCodecs chunks this test plays the renderer for.
import { afterEach, describe, expect, it } from 'vitest';
import { MediaSession } from '../../../src/main/pipeline/media-session';
import type { MediaControl } from '../../../src/shared/media-wire';
import { FakeOutput } from '../../helpers/pipeline-fakes';

const sessions: MediaSession[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close();
});

function studioSession(path: 'webcodecs' | 'ffmpeg' = 'webcodecs'): { s: MediaSession; sent: MediaControl[] } {
  const sent: MediaControl[] = [];
  const s = new MediaSession({
    ffmpegPath: 'ffmpeg',
    video: { width: 1280, height: 720, fps: 30, videoBitrateKbps: 2500, audioBitrateKbps: 128, keyintSec: 2, profile: 'baseline', encoder: 'libx264' },
    source: { kind: 'studio', path, control: (m) => sent.push(m) },
  });
  sessions.push(s);
  return { s, sent };
}

const groupsOf = (m: MediaControl | undefined) => (m?.type === 'encoders' ? m.groups.map((g) => [g.bitrateKbps, g.codec]) : undefined);

describe('MediaSession encoder groups', () => {
  it('shares a group per bitrate, makes one for another bitrate, drops it with its last output', async () => {
    const { s, sent } = studioSession();
    s.addOutput('a', new FakeOutput('a', { liveOnStart: false }), { codecs: ['h264', 'aac'] });
    s.addOutput('b', new FakeOutput('b', { liveOnStart: false }), { codecs: ['h264', 'opus'], videoBitrateKbps: 2500 });
    expect(s.groupStats().map((g) => [g.id, g.targetKbps, g.outputs])).toEqual([['g1', 2500, 2]]);
    s.addOutput('c', new FakeOutput('c', { liveOnStart: false }), { codecs: ['h264', 'aac'], videoBitrateKbps: 1500 });
    expect(s.groupStats().map((g) => [g.targetKbps, g.outputs])).toEqual([[2500, 2], [1500, 1]]);
    expect(groupsOf(sent.at(-1))).toEqual([[2500, 'avc1.42e01f'], [1500, 'avc1.42e01f']]);
    await s.removeOutput('c');
    expect(s.groupStats().map((g) => g.targetKbps)).toEqual([2500]);
    expect(groupsOf(sent.at(-1))).toEqual([[2500, 'avc1.42e01f']]);
    await s.removeOutput('a');
    expect(s.groupStats()).toHaveLength(1); // 'b' still uses it
    await s.removeOutput('b');
    expect(s.groupStats()).toHaveLength(0);
    expect(groupsOf(sent.at(-1))).toEqual([]);
  });

  it('a malformed chunk is a reason to close the channel; chunks for an unknown group are dropped', async () => {
    const { s } = studioSession();
    s.addOutput('a', new FakeOutput('a', { liveOnStart: false }), { codecs: ['h264'] });
    expect(s.push({ kind: 'config', group: 1, data: new Uint8Array([9, 9, 9, 9, 9, 9, 9]) })).toMatch(/AVCDecoderConfigurationRecord|configurationVersion/);
    expect(s.push({ kind: 'chunk', group: 42, keyframe: true, encodeUs: 0, captureTimeUs: 1, data: new Uint8Array([0, 0, 0, 1, 0x65]) })).toBeUndefined();
  });

  it('switching to the ffmpeg path keeps the groups and tells the renderer', async () => {
    const { s, sent } = studioSession('webcodecs');
    s.addOutput('a', new FakeOutput('a', { liveOnStart: false }), { codecs: ['h264', 'aac'] });
    expect(s.groupStats()[0]?.path).toBe('webcodecs');
    s.setVideoPath('ffmpeg');
    expect(s.videoPath).toBe('ffmpeg');
    expect(s.groupStats()[0]?.path).toBe('ffmpeg');
    const last = sent.at(-1);
    expect(last?.type === 'encoders' && last.path).toBe('ffmpeg');
  });
});
