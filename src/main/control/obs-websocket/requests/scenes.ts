// Scenes (protocol.md "Scenes" requests): the list, the program scene and, in studio mode, the
// preview scene, on the scene document and the Studio's setActiveScene / sceneOp. See ../model.ts.
import { RequestError } from '../fields';
import { activeScene, findScene, previewScene, requireStudioMode, sceneListJson } from '../model';
import { Status } from '../protocol';
import type { RequestTable } from './table';

export const sceneRequests: RequestTable = {
  GetSceneList: (_f, { engine }) => {
    const doc = engine.getState().sceneDoc;
    const cur = activeScene(doc);
    const pre = previewScene(doc);
    return {
      currentProgramSceneName: cur?.name ?? null,
      currentProgramSceneUuid: cur?.id ?? null,
      // null while studio mode is off, as obs-websocket answers.
      currentPreviewSceneName: pre?.name ?? null,
      currentPreviewSceneUuid: pre?.id ?? null,
      scenes: sceneListJson(doc),
    };
  },

  // Tandem has no groups; the list is truly empty.
  GetGroupList: () => ({ groups: [] }),

  GetCurrentProgramScene: (_f, { engine }) => {
    const cur = activeScene(engine.getState().sceneDoc);
    if (!cur) throw new RequestError(Status.RequestProcessingFailed, 'The active scene is missing from the scene list.');
    return { sceneName: cur.name, sceneUuid: cur.id, currentProgramSceneName: cur.name, currentProgramSceneUuid: cur.id };
  },

  SetCurrentProgramScene: async (f, { engine }) => {
    const scene = findScene(engine.getState().sceneDoc, f);
    await engine.setActiveScene({ id: scene.id });
    return undefined;
  },

  GetCurrentPreviewScene: (_f, { engine }) => {
    const doc = engine.getState().sceneDoc;
    requireStudioMode(doc);
    const pre = previewScene(doc);
    if (!pre) throw new RequestError(Status.RequestProcessingFailed, 'The preview scene is missing from the scene list.');
    return { sceneName: pre.name, sceneUuid: pre.id, currentPreviewSceneName: pre.name, currentPreviewSceneUuid: pre.id };
  },

  SetCurrentPreviewScene: async (f, { engine }) => {
    const doc = engine.getState().sceneDoc;
    requireStudioMode(doc);
    const scene = findScene(doc, f);
    await engine.sceneOp({ op: 'setPreviewScene', sceneId: scene.id });
    return undefined;
  },
};
