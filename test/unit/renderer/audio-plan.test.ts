// The mixer follows the scene document: which channels the program scene has, and what each does.
import { describe, expect, it } from 'vitest';
import { channelParams, fromDb, mixerTargets, programStrips } from '../../../src/renderer/src/engine/audio-plan';
import { applyOp, newSource } from '../../../src/shared/scene/ops';
import type { SceneDoc } from '../../../src/shared/scene/model';

function doc(): SceneDoc {
  const d: SceneDoc = {
    version: 3,
    activeSceneId: 'a',
    transition: { kind: 'cut', durationMs: 0 },
    studioMode: { enabled: false, previewSceneId: 'a', swap: true },
    scenes: [
      { id: 'a', name: 'A', sources: [newSource('color', 'bg', 'Background', 1280, 720), newSource('microphone', 'mic', 'Mic', 1280, 720), newSource('media', 'clip', 'Clip', 1280, 720)] },
      { id: 'b', name: 'B', sources: [newSource('camera', 'cam', 'Cam', 1280, 720)] },
    ],
  };
  return d;
}

describe('audio plan', () => {
  it('lists the program scene’s sources with sound, in stack order', () => {
    const strips = programStrips(doc());
    expect(strips.map((s) => s.sourceId)).toEqual(['mic', 'clip']);
    expect(strips[0]).toMatchObject({ sceneId: 'a', name: 'Mic', kind: 'microphone', audio: { gainDb: 0, muted: false, syncOffsetMs: 0 } });
    const onB = applyOp(doc(), { op: 'setActiveScene', sceneId: 'b' });
    expect(programStrips(onB).map((s) => s.sourceId)).toEqual(['cam']);
  });

  it('turns gain, mute and sync offset into a fader gain and a delay', () => {
    expect(channelParams({ gainDb: 0, muted: false, syncOffsetMs: 0 }, true)).toEqual({ gain: 1, delaySec: 0 });
    const m12 = channelParams({ gainDb: -12, muted: false, syncOffsetMs: 250 }, true);
    expect(20 * Math.log10(m12.gain)).toBeCloseTo(-12, 6);
    expect(m12.delaySec).toBeCloseTo(0.25, 9);
    expect(channelParams({ gainDb: -12, muted: true, syncOffsetMs: 2000 }, true)).toEqual({ gain: 0, delaySec: 2 });
    expect(channelParams({ gainDb: 6, muted: false, syncOffsetMs: 0 }, false).gain).toBe(0);
    expect(fromDb(-90)).toBe(0);
  });

  it('follows setAudio ops; hidden sources and other scenes are silent', () => {
    let d = applyOp(doc(), { op: 'setAudio', sceneId: 'a', sourceId: 'mic', audio: { gainDb: -12 } });
    d = applyOp(d, { op: 'setAudio', sceneId: 'a', sourceId: 'clip', audio: { muted: true, syncOffsetMs: 120 } });
    const t = mixerTargets(d);
    expect(t.get('mic')?.gain).toBeCloseTo(fromDb(-12), 9);
    expect(t.get('clip')).toEqual({ gain: 0, delaySec: 0.12 });
    expect(t.has('cam')).toBe(false);
    expect(t.has('bg')).toBe(false);
    const hidden = applyOp(d, { op: 'setVisible', sceneId: 'a', sourceId: 'mic', visible: false });
    expect(mixerTargets(hidden).get('mic')?.gain).toBe(0);
  });

  it('lets a view override the document (a fader being moved)', () => {
    const t = mixerTargets(doc(), (_scene, source, a) => (source === 'mic' ? { ...a, gainDb: -6 } : a));
    expect(t.get('mic')?.gain).toBeCloseTo(fromDb(-6), 9);
    expect(t.get('clip')?.gain).toBe(1);
  });
});
