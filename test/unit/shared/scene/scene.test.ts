import { describe, expect, it } from 'vitest';
import defaultSceneV1 from '../../../fixtures/scenes/v1-default.json';
import sceneV2 from '../../../fixtures/scenes/v2-default.json';
import { SceneHistory } from '../../../../src/shared/scene/history';
import { migrateSceneDoc } from '../../../../src/shared/scene/migrate';
import { SCENE_DOC_VERSION, type SceneDoc } from '../../../../src/shared/scene/model';
import { applyOp, newSource } from '../../../../src/shared/scene/ops';
import { TandemError } from '../../../../src/shared/errors';

function doc(): SceneDoc {
  return {
    version: SCENE_DOC_VERSION,
    activeSceneId: 'a',
    transition: { kind: 'cut', durationMs: 0 },
    studioMode: { enabled: false, previewSceneId: 'a', swap: true },
    scenes: [
      { id: 'a', name: 'A', sources: [newSource('color', 'bg', 'Background', 1280, 720), newSource('text', 't', 'Title', 1280, 720)] },
      { id: 'b', name: 'B', sources: [] },
    ],
  };
}

describe('scene operations', () => {
  it('adds, moves, hides, transforms and removes sources without mutating the input', () => {
    const d0 = doc();
    const frozen = JSON.stringify(d0);
    let d = applyOp(d0, { op: 'addSource', sceneId: 'a', source: newSource('image', 'img', 'Logo', 1280, 720) });
    expect(d.scenes[0]?.sources.map((s) => s.id)).toEqual(['bg', 't', 'img']);
    d = applyOp(d, { op: 'moveSource', sceneId: 'a', sourceId: 'img', toIndex: 0 });
    expect(d.scenes[0]?.sources.map((s) => s.id)).toEqual(['img', 'bg', 't']);
    d = applyOp(d, { op: 'moveSource', sceneId: 'a', sourceId: 'img', toIndex: 99 });
    expect(d.scenes[0]?.sources.map((s) => s.id)).toEqual(['bg', 't', 'img']);
    d = applyOp(d, { op: 'setVisible', sceneId: 'a', sourceId: 't', visible: false });
    expect(d.scenes[0]?.sources[1]?.visible).toBe(false);
    d = applyOp(d, { op: 'setTransform', sceneId: 'a', sourceId: 'img', transform: { x: 100, y: 50, width: 320, height: 180, rotation: 15, opacity: 0.5 } });
    expect(d.scenes[0]?.sources[2]?.transform).toMatchObject({ x: 100, y: 50, width: 320, height: 180, rotation: 15, opacity: 0.5 });
    expect(d.scenes[0]?.sources[2]?.transform.crop).toEqual({ left: 0, top: 0, right: 0, bottom: 0 });
    d = applyOp(d, { op: 'removeSource', sceneId: 'a', sourceId: 'bg' });
    expect(d.scenes[0]?.sources.map((s) => s.id)).toEqual(['t', 'img']);
    expect(JSON.stringify(d0)).toBe(frozen);
  });

  it('refuses to move a locked source, and unknown ids, with typed errors', () => {
    let d = applyOp(doc(), { op: 'setLocked', sceneId: 'a', sourceId: 'bg', locked: true });
    expect(() => applyOp(d, { op: 'setTransform', sceneId: 'a', sourceId: 'bg', transform: { x: 1 } })).toThrow(/locked/);
    d = applyOp(d, { op: 'setLocked', sceneId: 'a', sourceId: 'bg', locked: false });
    expect(applyOp(d, { op: 'setTransform', sceneId: 'a', sourceId: 'bg', transform: { x: 1 } }).scenes[0]?.sources[0]?.transform.x).toBe(1);
    const err = (() => {
      try {
        applyOp(d, { op: 'removeSource', sceneId: 'a', sourceId: 'nope' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(TandemError);
    expect((err as TandemError).code).toBe('not-found');
    expect(() => applyOp(d, { op: 'updateSource', sceneId: 'a', sourceId: 'bg', patch: { settings: { kind: 'image', src: '' } } })).toThrow(/cannot become/);
  });

  it('keeps at least one scene and moves the active scene off a removed one', () => {
    let d = applyOp(doc(), { op: 'removeScene', sceneId: 'a' });
    expect(d.activeSceneId).toBe('b');
    expect(() => applyOp(d, { op: 'removeScene', sceneId: 'b' })).toThrow(/last scene/);
    d = applyOp(d, { op: 'addScene', id: 'c', name: 'C' });
    expect(d.scenes.map((s) => s.id)).toEqual(['b', 'c']);
  });
});

describe('undo/redo', () => {
  it('undoes and redoes edits in order, and a new edit clears redo', () => {
    const h = new SceneHistory(doc());
    h.apply({ op: 'setTransform', sceneId: 'a', sourceId: 't', transform: { x: 10 } });
    h.apply({ op: 'setTransform', sceneId: 'a', sourceId: 't', transform: { x: 20 } });
    const x = () => h.doc.scenes[0]?.sources[1]?.transform.x;
    expect(x()).toBe(20);
    h.undo();
    expect(x()).toBe(10);
    h.undo();
    expect(x()).toBe(0);
    expect(h.canUndo).toBe(false);
    h.undo();
    expect(x()).toBe(0);
    h.redo();
    expect(x()).toBe(10);
    h.apply({ op: 'setVisible', sceneId: 'a', sourceId: 't', visible: false });
    expect(h.canRedo).toBe(false);
    h.redo();
    expect(x()).toBe(10);
  });

  it('does not record scene switches or failed ops', () => {
    const h = new SceneHistory(doc());
    h.apply({ op: 'setActiveScene', sceneId: 'b' });
    expect(h.canUndo).toBe(false);
    expect(() => h.apply({ op: 'removeSource', sceneId: 'a', sourceId: 'zzz' })).toThrow();
    expect(h.canUndo).toBe(false);
    expect(h.doc.activeSceneId).toBe('b');
  });
});

describe('persistence and migrations', () => {
  it('round-trips a document through JSON unchanged', () => {
    const d = applyOp(doc(), { op: 'setTransform', sceneId: 'a', sourceId: 't', transform: { x: 12.5, rotation: -30 } });
    expect(migrateSceneDoc(JSON.parse(JSON.stringify(d)))).toEqual(d);
  });

  it('migrates the v1 default scene through v2 (transforms, settings, a transition) to v3', () => {
    const d = migrateSceneDoc(defaultSceneV1, { width: 1920, height: 1080 });
    expect(d.version).toBe(3);
    expect(d.transition).toEqual({ kind: 'fade', durationMs: 300 });
    expect(d.scenes.map((s) => s.name)).toEqual(['Main', 'Be right back']);
    const cam = d.scenes[0]?.sources[0];
    expect(cam).toMatchObject({ id: 'src-camera', locked: false, settings: { kind: 'camera' } });
    expect(cam?.transform).toMatchObject({ x: 0, y: 0, width: 1920, height: 1080 });
    expect(cam?.audio).toEqual({ gainDb: 0, muted: false, syncOffsetMs: 0 });
  });

  it('rejects damaged and future files with a typed error', () => {
    expect(() => migrateSceneDoc('nope')).toThrow(/not a JSON object/);
    expect(() => migrateSceneDoc({ version: 99 })).toThrow(/newer than/);
    expect(() => migrateSceneDoc({ version: 2, activeSceneId: 'a', transition: { kind: 'cut', durationMs: 0 }, scenes: [] })).toThrow(/damaged/);
    const bad = JSON.parse(JSON.stringify(doc())) as SceneDoc;
    (bad.scenes[0]?.sources[0]?.settings as { color: string }).color = 'red';
    expect(() => migrateSceneDoc(bad)).toThrow(/colour/);
  });
});

describe('scene document v3: audio, studio mode, duplicates', () => {
  it('migrates a v2 file: mixer channels on sources with sound, screen audio off, studio mode off, blob: media dropped', () => {
    const d = migrateSceneDoc(sceneV2);
    expect(d.version).toBe(3);
    expect(d.studioMode).toEqual({ enabled: false, previewSceneId: d.activeSceneId, swap: true });
    const main = d.scenes[0]!;
    const by = (id: string) => main.sources.find((s) => s.id === id)!;
    expect(by('src-cam').audio).toEqual({ gainDb: 0, muted: false, syncOffsetMs: 0 });
    expect(by('src-clip').settings).toMatchObject({ kind: 'media', src: '' });
    expect(by('src-clip').audio).toBeDefined();
    expect(by('src-screen').settings).toEqual({ kind: 'screen', sourceId: '', audio: false });
    expect(by('src-bg').audio).toBeUndefined();
  });

  it('setAudio changes a channel, is not undoable, and survives undo of an edit', () => {
    const h = new SceneHistory(doc());
    h.apply({ op: 'addSource', sceneId: 'a', source: newSource('microphone', 'mic', 'Mic', 1280, 720) });
    h.apply({ op: 'setAudio', sceneId: 'a', sourceId: 'mic', audio: { gainDb: -12, muted: true } });
    expect(h.doc.scenes[0]!.sources.find((s) => s.id === 'mic')!.audio).toEqual({ gainDb: -12, muted: true, syncOffsetMs: 0 });
    h.apply({ op: 'renameSource', sceneId: 'a', sourceId: 'bg', name: 'Backdrop' });
    h.undo(); // undoes the rename, keeps the mixer
    expect(h.doc.scenes[0]!.sources.find((s) => s.id === 'bg')!.name).toBe('Background');
    expect(h.doc.scenes[0]!.sources.find((s) => s.id === 'mic')!.audio?.gainDb).toBe(-12);
    expect(() => applyOp(h.doc, { op: 'setAudio', sceneId: 'a', sourceId: 'bg', audio: { muted: true } })).toThrow(/no sound/);
  });

  it('studio mode: the preview changes without the program; transition sends it over (and swaps)', () => {
    let d = applyOp(doc(), { op: 'setStudioMode', enabled: true });
    expect(d.studioMode).toMatchObject({ enabled: true, previewSceneId: 'a' });
    d = applyOp(d, { op: 'setPreviewScene', sceneId: 'b' });
    expect([d.activeSceneId, d.studioMode.previewSceneId]).toEqual(['a', 'b']);
    d = applyOp(d, { op: 'transitionToProgram' });
    expect([d.activeSceneId, d.studioMode.previewSceneId]).toEqual(['b', 'a']); // swapped
    d = applyOp(applyOp(d, { op: 'setStudioMode', enabled: true, swap: false }), { op: 'transitionToProgram' });
    expect([d.activeSceneId, d.studioMode.previewSceneId]).toEqual(['a', 'a']);
    expect(() => applyOp(doc(), { op: 'transitionToProgram' })).toThrow(/studio mode is off/);
    const h = new SceneHistory(d);
    h.apply({ op: 'setPreviewScene', sceneId: 'b' });
    expect(h.canUndo).toBe(false);
  });

  it('duplicates scenes and sources, and renames them', () => {
    let d = applyOp(doc(), { op: 'duplicateScene', sceneId: 'a', newId: 'a2', name: 'A copy' });
    expect(d.scenes.map((s) => s.id)).toEqual(['a', 'a2', 'b']);
    expect(d.scenes[1]!.sources.map((s) => s.id)).toEqual(['bg', 't']);
    d = applyOp(d, { op: 'setLocked', sceneId: 'a2', sourceId: 't', locked: true });
    d = applyOp(d, { op: 'duplicateSource', sceneId: 'a2', sourceId: 't', newId: 't2' });
    expect(d.scenes[1]!.sources.map((s) => [s.id, s.locked])).toEqual([['bg', false], ['t', true], ['t2', false]]);
    d = applyOp(d, { op: 'renameScene', sceneId: 'a2', name: 'Intro' });
    expect(d.scenes[1]!.name).toBe('Intro');
    expect(d.scenes[0]!.sources).toHaveLength(2); // the original is untouched
    expect(() => applyOp(d, { op: 'duplicateScene', sceneId: 'a', newId: 'b', name: 'x' })).toThrow(/exists/);
  });
});
