// How Tandem's scene document looks through obs-websocket's eyes.
//
// - A scene is an OBS scene: sceneUuid is Tandem's scene id. Names are not unique in Tandem;
//   a sceneName lookup takes the first scene with that name in document order.
// - Every source of every scene is both a scene item and an input (Tandem sources belong to one
//   scene; there are no shared inputs). GetInputList therefore lists all sources, video-only ones
//   included, as OBS lists all inputs; inputKindCaps says which have a picture and which have a
//   mixer channel (SceneSource.audio). inputUuid is "<sceneId>/<sourceId>". Names are not unique
//   across scenes, so an inputName lookup takes the program scene's source of that name first (the
//   one a Stream Deck button means: it is on air), then the first match in document order.
// - An input's audio is its mixer channel {gainDb, muted, syncOffsetMs}: volume in dB maps 1:1
//   (mul = 10^(dB/20)), within Tandem's -60…+20 dB; sync offset within 0…2000 ms.
// - sceneItemId is a number per scene, handed out in order of first sight and never reused while
//   the engine runs (ids are kept per engine object, across server restarts).
import type { ApiEventSource, StudioApiImpl, StudioState } from '../../../shared/api';
import type { AudioSettings, SceneDoc, SceneSource, SourceKind, StudioScene } from '../../../shared/scene/model';
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
export const CAP_VIDEO = 1 << 0;
export const CAP_AUDIO = 1 << 1;

export function inputKind(kind: SourceKind): string {
  return `tandem_${kind}`;
}

/** Picture for every kind but the microphone; sound where the source has a mixer channel. */
export function inputCaps(source: SceneSource): number {
  return (source.settings.kind === 'microphone' ? 0 : CAP_VIDEO) | (source.audio ? CAP_AUDIO : 0);
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

/** The input a request names by inputName or inputUuid, or ResourceNotFound (see the header). */
export function findInput(doc: SceneDoc, f: Fields): { scene: StudioScene; source: SceneSource } {
  const { key, value } = f.oneOf('inputName', 'inputUuid');
  const program = activeScene(doc);
  const order = program ? [program, ...doc.scenes.filter((s) => s !== program)] : doc.scenes;
  for (const scene of key === 'inputUuid' ? doc.scenes : order) {
    for (const source of scene.sources) {
      if (key === 'inputUuid' ? inputUuid(scene, source) === value : source.name === value) return { scene, source };
    }
  }
  throw new RequestError(Status.ResourceNotFound, `No input was found by that ${key === 'inputUuid' ? 'UUID' : 'name'}.`);
}

/** The input's mixer channel, or InvalidResourceState for a source without sound. */
export function findAudioInput(doc: SceneDoc, f: Fields): { scene: StudioScene; source: SceneSource; audio: AudioSettings } {
  const { scene, source } = findInput(doc, f);
  if (!source.audio) throw new RequestError(Status.InvalidResourceState, 'The specified input does not support audio.');
  return { scene, source, audio: source.audio };
}

export function inputJson(scene: StudioScene, source: SceneSource): JsonObject {
  const kind = inputKind(source.settings.kind);
  return { inputName: source.name, inputUuid: inputUuid(scene, source), inputKind: kind, unversionedInputKind: kind, inputKindCaps: inputCaps(source) };
}

/** obs-websocket's volume pair for a gain in dB (mul = 10^(dB/20)). */
export function volumeJson(gainDb: number): JsonObject {
  return { inputVolumeMul: 10 ** (gainDb / 20), inputVolumeDb: gainDb };
}

/** OBS_ALIGN_LEFT | OBS_ALIGN_TOP (obs.h): Tandem places a box by its top-left corner. */
export const ALIGN_TOP_LEFT = 5;
/** A Tandem box is what OBS calls stretch-to-bounds: the source fills exactly width × height. */
export const BOUNDS_STRETCH = 'OBS_BOUNDS_STRETCH';

/**
 * A Tandem transform as an OBS scene-item transform. Tandem draws a source into a box
 * (x, y, width, height) from its top-left corner, which OBS expresses as bounds of type stretch
 * with the box as the bounds and a scale of 1. Tandem knows no native source size, so
 * sourceWidth and sourceHeight are left out rather than made up.
 */
export function transformJson(s: SceneSource): JsonObject {
  const t = s.transform;
  return {
    positionX: t.x,
    positionY: t.y,
    rotation: t.rotation,
    scaleX: 1,
    scaleY: 1,
    width: t.width,
    height: t.height,
    alignment: ALIGN_TOP_LEFT,
    boundsType: BOUNDS_STRETCH,
    boundsAlignment: ALIGN_TOP_LEFT,
    boundsWidth: t.width,
    boundsHeight: t.height,
    cropToBounds: false,
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

/** The preview scene while studio mode is on (undefined when it is off). */
export function previewScene(doc: SceneDoc): StudioScene | undefined {
  return doc.studioMode.enabled ? doc.scenes.find((s) => s.id === doc.studioMode.previewSceneId) : undefined;
}

/** StudioModeNotActive (506) unless studio mode is on. */
export function requireStudioMode(doc: SceneDoc): void {
  if (!doc.studioMode.enabled) throw new RequestError(Status.StudioModeNotActive, 'Studio mode is not active.');
}
