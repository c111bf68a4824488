// How Tandem's scene document looks through obs-websocket's eyes.
//
// - A scene is an OBS scene: sceneUuid is Tandem's scene id. Names are not unique in Tandem;
//   a sceneName lookup takes the first scene with that name in document order.
// - Every source of every scene is both a scene item and an input (Tandem sources belong to one
//   scene; there are no shared inputs). GetInputList therefore lists all sources, video-only ones
//   included, as OBS lists all inputs; inputKindCaps says which kinds can carry audio.
//   inputUuid is "<sceneId>/<sourceId>"; an inputName lookup takes the first match in document
//   order.
// - sceneItemId is a number per scene, handed out in order of first sight and never reused while
//   the engine runs (ids are kept per engine object, across server restarts).
import type { ApiEventSource, StudioApiImpl, StudioState } from '../../../shared/api';
import type { SceneDoc, SceneSource, SourceKind, StudioScene } from '../../../shared/scene/model';
import { RequestError, type Fields } from './fields';
import { Status, type Json, type JsonObject } from './protocol';

/**
 * What the obs-websocket endpoint needs from the engine (the Studio satisfies it). getState is
 * synchronous, as the Studio's is: a handler reads, validates and acts with nothing in between.
 */
export type ObsEngine = ApiEventSource & { getState(): StudioState } & Pick<
    StudioApiImpl,
    'setActiveScene' | 'sceneOp' | 'setTransition' | 'listDestinations' | 'goLive' | 'stopLive' | 'startRecording' | 'stopRecording' | 'getStats' | 'getEngineStats'
  >;

/** libobs output flags (obs-source.h): OBS_SOURCE_VIDEO, OBS_SOURCE_AUDIO. */
const CAP_VIDEO = 1 << 0;
const CAP_AUDIO = 1 << 1;
/** Kinds whose runtime may feed the mixer (media elements, camera and screen streams). */
const AUDIO_KINDS: ReadonlySet<SourceKind> = new Set(['media', 'camera', 'screen']);

export function inputKind(kind: SourceKind): string {
  return `tandem_${kind}`;
}

export function inputCaps(kind: SourceKind): number {
  return CAP_VIDEO | (AUDIO_KINDS.has(kind) ? CAP_AUDIO : 0);
}

export function inputUuid(scene: StudioScene, source: SceneSource): string {
  return `${scene.id}/${source.id}`;
}

export class ItemIds {
  private readonly scenes = new Map<string, { next: number; ids: Map<string, number> }>();

  idOf(sceneId: string, sourceId: string): number {
    let s = this.scenes.get(sceneId);
    if (!s) {
      s = { next: 1, ids: new Map() };
      this.scenes.set(sceneId, s);
    }
    let id = s.ids.get(sourceId);
    if (id === undefined) {
      id = s.next++;
      s.ids.set(sourceId, id);
    }
    return id;
  }

  /** Gives every source in the document its id, in document order (so ids follow stacking order). */
  prime(doc: SceneDoc): void {
    for (const sc of doc.scenes) for (const src of sc.sources) this.idOf(sc.id, src.id);
  }

  find(scene: StudioScene, id: number): SceneSource | undefined {
    return scene.sources.find((s) => this.idOf(scene.id, s.id) === id);
  }
}

const registries = new WeakMap<object, ItemIds>();
export function itemIdsFor(engine: object): ItemIds {
  let ids = registries.get(engine);
  if (!ids) {
    ids = new ItemIds();
    registries.set(engine, ids);
  }
  return ids;
}

/** Scenes as GetSceneList lists them: OBS puts the bottom of its list first, with sceneIndex 0. */
export function sceneListJson(doc: SceneDoc): JsonObject[] {
  const n = doc.scenes.length;
  return doc.scenes.map((s, i): JsonObject => ({ sceneIndex: n - 1 - i, sceneName: s.name, sceneUuid: s.id })).reverse();
}

export function activeScene(doc: SceneDoc): StudioScene | undefined {
  return doc.scenes.find((s) => s.id === doc.activeSceneId);
}

/** The scene a request names by sceneName or sceneUuid, or ResourceNotFound. */
export function findScene(doc: SceneDoc, f: Fields): StudioScene {
  const { key, value } = f.oneOf('sceneName', 'sceneUuid');
  const scene = key === 'sceneUuid' ? doc.scenes.find((s) => s.id === value) : doc.scenes.find((s) => s.name === value);
  if (!scene) throw new RequestError(Status.ResourceNotFound, `No scene was found by that ${key === 'sceneUuid' ? 'UUID' : 'name'}.`);
  return scene;
}

/** The scene item a request names (scene + sceneItemId), or ResourceNotFound. */
export function findItem(doc: SceneDoc, f: Fields, ids: ItemIds): { scene: StudioScene; source: SceneSource; id: number } {
  const scene = findScene(doc, f);
  const id = f.number('sceneItemId', { min: 0, integer: true });
  const source = ids.find(scene, id);
  if (!source) throw new RequestError(Status.ResourceNotFound, `No scene items were found in scene \`${scene.name}\` with the ID \`${id}\`.`);
  return { scene, source, id };
}

/** The input a request names by inputName or inputUuid, or ResourceNotFound. */
export function findInput(doc: SceneDoc, f: Fields): { scene: StudioScene; source: SceneSource } {
  const { key, value } = f.oneOf('inputName', 'inputUuid');
  for (const scene of doc.scenes) {
    for (const source of scene.sources) {
      if (key === 'inputUuid' ? inputUuid(scene, source) === value : source.name === value) return { scene, source };
    }
  }
  throw new RequestError(Status.ResourceNotFound, `No input was found by that ${key === 'inputUuid' ? 'UUID' : 'name'}.`);
}

export function inputJson(scene: StudioScene, source: SceneSource): JsonObject {
  const kind = inputKind(source.settings.kind);
  return { inputName: source.name, inputUuid: inputUuid(scene, source), inputKind: kind, unversionedInputKind: kind, inputKindCaps: inputCaps(source.settings.kind) };
}

/**
 * The part of an OBS scene-item transform Tandem knows. Tandem draws a source into a box
 * (x, y, width, height) from its top-left corner; it has no native source size, so sourceWidth,
 * sourceHeight and scaleX/scaleY are left out rather than made up.
 */
export function transformJson(s: SceneSource): JsonObject {
  const t = s.transform;
  return {
    positionX: t.x,
    positionY: t.y,
    rotation: t.rotation,
    width: t.width,
    height: t.height,
    alignment: 5, // OBS_ALIGN_LEFT | OBS_ALIGN_TOP
    boundsType: 'OBS_BOUNDS_NONE',
    cropLeft: t.crop.left,
    cropRight: t.crop.right,
    cropTop: t.crop.top,
    cropBottom: t.crop.bottom,
  };
}

export function sceneItemJson(scene: StudioScene, source: SceneSource, index: number, ids: ItemIds): JsonObject {
  const kind: Json = inputKind(source.settings.kind);
  return {
    sceneItemId: ids.idOf(scene.id, source.id),
    sceneItemIndex: index,
    sceneItemEnabled: source.visible,
    sceneItemLocked: source.locked,
    sceneItemTransform: transformJson(source),
    sceneItemBlendMode: 'OBS_BLEND_NORMAL',
    sourceName: source.name,
    sourceUuid: inputUuid(scene, source),
    sourceType: 'OBS_SOURCE_TYPE_INPUT',
    inputKind: kind,
    isGroup: null,
  };
}
