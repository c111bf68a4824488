import { describe, expect, it } from 'vitest';
import { SCENE_DOC_VERSION, type SceneDoc } from '../../../../src/shared/scene/model';
import { applyOp } from '../../../../src/shared/scene/ops';
import { editedScene, editedSceneId } from '../../../../src/shared/scene/studio-mode';

function doc(): SceneDoc {
  return {
    version: SCENE_DOC_VERSION,
    activeSceneId: 'a',
    transition: { kind: 'cut', durationMs: 0 },
    studioMode: { enabled: false, previewSceneId: 'b', swap: true },
    scenes: [
      { id: 'a', name: 'A', sources: [] },
      { id: 'b', name: 'B', sources: [] },
    ],
  };
}

describe('the scene the studio edits', () => {
  it('is the program scene when studio mode is off, whatever the stored preview scene', () => {
    expect(editedSceneId(doc())).toBe('a');
    expect(editedScene(doc())?.name).toBe('A');
  });

  it('is the preview scene in studio mode, and follows setPreviewScene and a transition with swap', () => {
    let d = applyOp(doc(), { op: 'setStudioMode', enabled: true });
    expect(editedSceneId(d)).toBe('a'); // turning it on starts the preview on the program scene
    d = applyOp(d, { op: 'setPreviewScene', sceneId: 'b' });
    expect([editedSceneId(d), d.activeSceneId]).toEqual(['b', 'a']);
    d = applyOp(d, { op: 'transitionToProgram' });
    expect([editedSceneId(d), d.activeSceneId]).toEqual(['a', 'b']);
    d = applyOp(d, { op: 'setStudioMode', enabled: false });
    expect(editedSceneId(d)).toBe('b');
  });

  it('is undefined for a preview scene that does not exist (a document edited by hand)', () => {
    const d = { ...doc(), studioMode: { enabled: true, previewSceneId: 'gone', swap: false } };
    expect(editedScene(d)).toBeUndefined();
  });
});
