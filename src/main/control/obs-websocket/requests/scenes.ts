// Scenes, scene items and inputs (protocol.md "Scenes", "Scene Items", "Inputs" requests), on the
// scene document and the Studio's setActiveScene / sceneOp. See ../model.ts for the mapping.
import { RequestError } from '../fields';
import { SourceSettingsSchema } from '../../../../shared/scene/model';
import { activeScene, findItem, findScene, inputJson, inputKind, sceneItemJson, sceneListJson } from '../model';
import { Status, type JsonObject } from '../protocol';
import type { RequestTable } from './table';

export const sceneRequests: RequestTable = {
  GetSceneList: (_f, { engine }) => {
    const doc = engine.getState().sceneDoc;
    const cur = activeScene(doc);
    return {
      currentProgramSceneName: cur?.name ?? null,
      currentProgramSceneUuid: cur?.id ?? null,
      // Tandem has no studio mode (yet): obs-websocket answers null when it is off.
      currentPreviewSceneName: null,
      currentPreviewSceneUuid: null,
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

  GetSceneItemList: (f, { engine, ids }) => {
    const scene = findScene(engine.getState().sceneDoc, f);
    return { sceneItems: scene.sources.map((s, i) => sceneItemJson(scene, s, i, ids)) };
  },

  GetSceneItemId: (f, { engine, ids }) => {
    const scene = findScene(engine.getState().sceneDoc, f);
    const sourceName = f.string('sourceName');
    const offset = f.optNumber('searchOffset', { min: -1, integer: true }) ?? 0;
    const matches = scene.sources.filter((s) => s.name === sourceName);
    const hit = offset === -1 ? matches[matches.length - 1] : matches[offset];
    if (!hit) throw new RequestError(Status.ResourceNotFound, `No scene items were found in the specified scene by that name or offset.`);
    return { sceneItemId: ids.idOf(scene.id, hit.id) };
  },

  GetSceneItemSource: (f, { engine, ids }) => {
    const { scene, source } = findItem(engine.getState().sceneDoc, f, ids);
    const input = inputJson(scene, source);
    return { sourceName: input.inputName ?? null, sourceUuid: input.inputUuid ?? null };
  },

  GetSceneItemIndex: (f, { engine, ids }) => {
    const { scene, source } = findItem(engine.getState().sceneDoc, f, ids);
    return { sceneItemIndex: scene.sources.indexOf(source) };
  },

  GetSceneItemEnabled: (f, { engine, ids }) => ({ sceneItemEnabled: findItem(engine.getState().sceneDoc, f, ids).source.visible }),

  SetSceneItemEnabled: async (f, { engine, ids }) => {
    const { scene, source } = findItem(engine.getState().sceneDoc, f, ids);
    const visible = f.boolean('sceneItemEnabled');
    await engine.sceneOp({ op: 'setVisible', sceneId: scene.id, sourceId: source.id, visible });
    return undefined;
  },

  GetSceneItemLocked: (f, { engine, ids }) => ({ sceneItemLocked: findItem(engine.getState().sceneDoc, f, ids).source.locked }),

  SetSceneItemLocked: async (f, { engine, ids }) => {
    const { scene, source } = findItem(engine.getState().sceneDoc, f, ids);
    const locked = f.boolean('sceneItemLocked');
    await engine.sceneOp({ op: 'setLocked', sceneId: scene.id, sourceId: source.id, locked });
    return undefined;
  },

  GetInputList: (f, { engine }) => {
    const kind = f.optString('inputKind');
    const inputs: JsonObject[] = [];
    for (const scene of engine.getState().sceneDoc.scenes) {
      for (const source of scene.sources) {
        const input = inputJson(scene, source);
        if (kind === undefined || input.inputKind === kind) inputs.push(input);
      }
    }
    return { inputs };
  },

  GetInputKindList: () => ({ inputKinds: SourceSettingsSchema.options.map((o) => inputKind(o.shape.kind.value)) }),
};
