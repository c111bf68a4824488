// Scene items (protocol.md "Scene Items" requests): list, look up, show/hide, lock, and the
// transform, on the Studio's sceneOp. See ../model.ts for ids and for how a Tandem box reads as an
// OBS transform (bounds of type stretch, scale 1, top-left alignment).
import type { Transform } from '../../../../shared/scene/model';
import { Fields, RequestError } from '../fields';
import { ALIGN_TOP_LEFT, BOUNDS_STRETCH, findItem, findScene, inputJson, sceneItemJson, transformJson } from '../model';
import { Status } from '../protocol';
import type { RequestTable } from './table';

/** Largest box side and position Tandem takes through this endpoint, px (16× an 8K frame). */
const MAX_PX = 131_072;

/**
 * Reads a SetSceneItemTransform `sceneItemTransform` into a Tandem transform patch, checking every
 * field first (nothing is applied if one is wrong). Fields OBS computes (width, height,
 * sourceWidth, sourceHeight) are ignored, as OBS ignores them; unknown fields too.
 */
export function transformPatch(obj: Record<string, unknown>, current: Transform): Partial<Transform> {
  const t = new Fields(obj);
  const px = { min: -MAX_PX, max: MAX_PX };
  const patch: Partial<Transform> = {};
  const x = t.optNumber('positionX', px);
  const y = t.optNumber('positionY', px);
  if (x !== undefined) patch.x = x;
  if (y !== undefined) patch.y = y;
  const rotation = t.optNumber('rotation', { min: -MAX_PX, max: MAX_PX });
  // OBS keeps any angle; Tandem's model takes -360…360, the same turn.
  if (rotation !== undefined) patch.rotation = rotation % 360;
  const w = t.optNumber('boundsWidth', { min: 1, max: MAX_PX });
  const h = t.optNumber('boundsHeight', { min: 1, max: MAX_PX });
  if (w !== undefined) patch.width = w;
  if (h !== undefined) patch.height = h;
  for (const k of ['scaleX', 'scaleY'] as const) {
    const v = t.optNumber(k);
    if (v !== undefined && v !== 1) throw new RequestError(Status.InvalidRequestField, `The field \`${k}\` must be 1: a Tandem item has no native size; set \`boundsWidth\` and \`boundsHeight\` instead.`);
  }
  const alignment = t.optNumber('alignment');
  if (alignment !== undefined && alignment !== ALIGN_TOP_LEFT) throw new RequestError(Status.InvalidRequestField, `The field \`alignment\` must be ${ALIGN_TOP_LEFT} (top left): Tandem places items by their top-left corner.`);
  t.optNumber('boundsAlignment', { min: 0, integer: true }); // no effect with stretch bounds
  const boundsType = t.optString('boundsType');
  if (boundsType !== undefined && boundsType !== BOUNDS_STRETCH) throw new RequestError(Status.InvalidRequestField, `The field \`boundsType\` must be ${BOUNDS_STRETCH}: a Tandem item always fills its box.`);
  if (t.has('cropToBounds') && t.boolean('cropToBounds')) throw new RequestError(Status.InvalidRequestField, 'The field `cropToBounds` must be false.');
  const crop = { ...current.crop };
  let cropped = false;
  for (const [k, side] of [['cropLeft', 'left'], ['cropRight', 'right'], ['cropTop', 'top'], ['cropBottom', 'bottom']] as const) {
    const v = t.optNumber(k, { min: 0, max: MAX_PX, integer: true });
    if (v !== undefined) {
      crop[side] = v;
      cropped = true;
    }
  }
  if (cropped) patch.crop = crop;
  return patch;
}

export const sceneItemRequests: RequestTable = {
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

  GetSceneItemTransform: (f, { engine, ids }) => ({ sceneItemTransform: transformJson(findItem(engine.getState().sceneDoc, f, ids).source) }),

  SetSceneItemTransform: async (f, { engine, ids }) => {
    const { scene, source } = findItem(engine.getState().sceneDoc, f, ids);
    const patch = transformPatch(f.object('sceneItemTransform'), source.transform);
    // Tandem refuses to move a locked item (its lock is a promise to the user, not only UI).
    if (source.locked) throw new RequestError(Status.InvalidResourceState, `'${source.name}' is locked: unlock it to move or resize it.`);
    if (Object.keys(patch).length > 0) await engine.sceneOp({ op: 'setTransform', sceneId: scene.id, sourceId: source.id, transform: patch });
    return undefined;
  },
};
