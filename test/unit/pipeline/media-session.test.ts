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

describe('MediaSession: a congested destination never lowers the others', () => {
  const target = (o: FakeOutput, kbps: number): void => (o as unknown as { emit(e: 'targetBitrate', k: number): void }).emit('targetBitrate', kbps);

  it('alone in its group: the group follows its target in place, and back', async () => {
    const { s } = studioSession();
    const w = new FakeOutput('w', { liveOnStart: false });
    s.addOutput('w', w, { codecs: ['h264', 'opus'] });
    target(w, 1200);
    expect(s.groupStats().map((g) => g.targetKbps)).toEqual([1200]);
    target(w, 1800);
    expect(s.groupStats().map((g) => g.targetKbps)).toEqual([1800]);
    // a new destination of the configured bitrate gets its own encode, not the lowered one
    s.addOutput('r', new FakeOutput('r', { liveOnStart: false }), { codecs: ['h264', 'aac'] });
    expect(s.groupStats().map((g) => [g.targetKbps, g.outputs])).toEqual([[1800, 1], [2500, 1]]);
    target(w, 9000); // recovered (capped at what it asked for): back to the shared group of 2500
    expect(s.bus.groupOfOutput('w')).toBe('g1'); // the move happens at g2's next keyframe
  });

  it('sharing a group: it moves to a group of its own, which follows it; the shared one keeps its bitrate', async () => {
    const { s, sent } = studioSession();
    const r = new FakeOutput('r', { liveOnStart: false });
    const w = new FakeOutput('w', { liveOnStart: false });
    s.addOutput('r', r, { codecs: ['h264', 'aac'] });
    s.addOutput('w', w, { codecs: ['h264', 'opus'] });
    expect(s.groupStats()).toHaveLength(1);
    target(w, 2450); // within 5 %: no change
    expect(s.groupStats()).toHaveLength(1);
    target(w, 900);
    const groups = s.groupStats();
    expect(groups.map((g) => g.targetKbps)).toEqual([2500, 900]);
    const last = sent.filter((m) => m.type === 'encoders').at(-1);
    expect(last?.type === 'encoders' && last.groups.map((g) => g.bitrateKbps)).toEqual([2500, 900]);
    expect(sent.at(-1)).toEqual({ type: 'keyframe', group: 2 }); // the move asks the new encode for an IDR
    // the output switches at the new group's first keyframe; until then it stays on the shared one
    expect(s.bus.groupOfOutput('w')).toBe('g1');
  });
});
