// Scene operations: pure functions from a document to a new document (never mutating), so
// undo/redo is a stack of documents and every operation is unit-testable.
import { InputError, TandemError } from '../errors';
import type { z } from 'zod';
import type { SceneDoc, SceneSource, SourceKind, StudioScene } from './model';
import type { SceneOpSchema } from './op-schema';
import { AUDIO_KINDS, defaultAudio, defaultSettings, defaultTransform } from './model';

/** One edit. Defined by its zod schema (op-schema.ts), which validates it at process boundaries. */
export type SceneOp = z.infer<typeof SceneOpSchema>;

/** Drops keys whose value is undefined, so a partial patch never erases a field. */
function defined<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

function scene(doc: SceneDoc, id: string): StudioScene {
  const s = doc.scenes.find((x) => x.id === id);
  if (!s) throw new TandemError('not-found', `no scene with id '${id}'`);
  return s;
}

function replaceScene(doc: SceneDoc, next: StudioScene): SceneDoc {
  return { ...doc, scenes: doc.scenes.map((s) => (s.id === next.id ? next : s)) };
}

function mapSource(doc: SceneDoc, sceneId: string, sourceId: string, fn: (s: SceneSource) => SceneSource): SceneDoc {
  const sc = scene(doc, sceneId);
  const src = sc.sources.find((s) => s.id === sourceId);
  if (!src) throw new TandemError('not-found', `no source with id '${sourceId}' in '${sc.name}'`);
  return replaceScene(doc, { ...sc, sources: sc.sources.map((s) => (s.id === sourceId ? fn(s) : s)) });
}

function assertUnlocked(s: SceneSource): void {
  if (s.locked) throw new InputError('invalid-argument', `'${s.name}' is locked: unlock it to move or resize it`);
}

export function applyOp(doc: SceneDoc, op: SceneOp): SceneDoc {
  switch (op.op) {
    case 'addScene':
      if (doc.scenes.some((s) => s.id === op.id)) throw new InputError('invalid-argument', `a scene with id '${op.id}' exists`);
      return { ...doc, scenes: [...doc.scenes, { id: op.id, name: op.name, sources: [] }] };
    case 'removeScene': {
      scene(doc, op.sceneId);
      if (doc.scenes.length === 1) throw new InputError('invalid-argument', 'the last scene cannot be removed');
      const scenes = doc.scenes.filter((s) => s.id !== op.sceneId);
      const first = scenes[0];
      const activeSceneId = doc.activeSceneId === op.sceneId && first ? first.id : doc.activeSceneId;
      const previewSceneId = doc.studioMode.previewSceneId === op.sceneId ? activeSceneId : doc.studioMode.previewSceneId;
      return { ...doc, scenes, activeSceneId, studioMode: { ...doc.studioMode, previewSceneId } };
    }
    case 'renameScene':
      return replaceScene(doc, { ...scene(doc, op.sceneId), name: op.name });
    case 'setActiveScene':
      scene(doc, op.sceneId);
      return { ...doc, activeSceneId: op.sceneId };
    case 'addSource': {
      const sc = scene(doc, op.sceneId);
      if (sc.sources.some((s) => s.id === op.source.id)) throw new InputError('invalid-argument', `a source with id '${op.source.id}' exists`);
      return replaceScene(doc, { ...sc, sources: [...sc.sources, op.source] });
    }
    case 'removeSource': {
      const sc = scene(doc, op.sceneId);
      if (!sc.sources.some((s) => s.id === op.sourceId)) throw new TandemError('not-found', `no source with id '${op.sourceId}'`);
      return replaceScene(doc, { ...sc, sources: sc.sources.filter((s) => s.id !== op.sourceId) });
    }
    case 'updateSource':
      return mapSource(doc, op.sceneId, op.sourceId, (s) => {
        if (op.patch.transform) assertUnlocked(s);
        if (op.patch.settings && op.patch.settings.kind !== s.settings.kind) {
          throw new InputError('invalid-argument', `a ${s.settings.kind} source cannot become ${op.patch.settings.kind}`);
        }
        return { ...s, ...defined(op.patch) };
      });
    case 'setTransform':
      return mapSource(doc, op.sceneId, op.sourceId, (s) => {
        assertUnlocked(s);
        return { ...s, transform: { ...s.transform, ...defined(op.transform) } };
      });
    case 'moveSource': {
      const sc = scene(doc, op.sceneId);
      const from = sc.sources.findIndex((s) => s.id === op.sourceId);
      if (from < 0) throw new TandemError('not-found', `no source with id '${op.sourceId}'`);
      const to = Math.max(0, Math.min(sc.sources.length - 1, op.toIndex));
      const sources = [...sc.sources];
      const [moved] = sources.splice(from, 1);
      if (moved) sources.splice(to, 0, moved);
      return replaceScene(doc, { ...sc, sources });
    }
    case 'setVisible':
      return mapSource(doc, op.sceneId, op.sourceId, (s) => ({ ...s, visible: op.visible }));
    case 'setLocked':
      return mapSource(doc, op.sceneId, op.sourceId, (s) => ({ ...s, locked: op.locked }));
    case 'renameSource':
      return mapSource(doc, op.sceneId, op.sourceId, (s) => ({ ...s, name: op.name }));
    case 'duplicateScene': {
      const sc = scene(doc, op.sceneId);
      if (doc.scenes.some((s) => s.id === op.newId)) throw new InputError('invalid-argument', `a scene with id '${op.newId}' exists`);
      // Sources keep their ids inside the copy (ids are unique per scene); the copy sits after the original.
      const copy: StudioScene = { ...structuredClone(sc), id: op.newId, name: op.name };
      const at = doc.scenes.indexOf(sc) + 1;
      return { ...doc, scenes: [...doc.scenes.slice(0, at), copy, ...doc.scenes.slice(at)] };
    }
    case 'duplicateSource': {
      const sc = scene(doc, op.sceneId);
      const i = sc.sources.findIndex((s) => s.id === op.sourceId);
      const src = sc.sources[i];
      if (!src) throw new TandemError('not-found', `no source with id '${op.sourceId}' in '${sc.name}'`);
      if (sc.sources.some((s) => s.id === op.newId)) throw new InputError('invalid-argument', `a source with id '${op.newId}' exists`);
      const copy: SceneSource = { ...structuredClone(src), id: op.newId, name: op.name ?? src.name, locked: false };
      return replaceScene(doc, { ...sc, sources: [...sc.sources.slice(0, i + 1), copy, ...sc.sources.slice(i + 1)] });
    }
    case 'setAudio':
      return mapSource(doc, op.sceneId, op.sourceId, (s) => {
        if (!s.audio) throw new InputError('invalid-argument', `'${s.name}' has no sound`);
        return { ...s, audio: { ...s.audio, ...defined(op.audio) } };
      });
    case 'setStudioMode':
      return { ...doc, studioMode: { ...doc.studioMode, enabled: op.enabled, ...(op.swap === undefined ? {} : { swap: op.swap }), ...(op.enabled && !doc.studioMode.enabled ? { previewSceneId: doc.activeSceneId } : {}) } };
    case 'setPreviewScene':
      scene(doc, op.sceneId);
      return { ...doc, studioMode: { ...doc.studioMode, previewSceneId: op.sceneId } };
    case 'transitionToProgram': {
      if (!doc.studioMode.enabled) throw new InputError('invalid-argument', 'studio mode is off: a scene goes to program when chosen');
      const program = doc.activeSceneId;
      const preview = doc.studioMode.previewSceneId;
      scene(doc, preview);
      return { ...doc, activeSceneId: preview, studioMode: { ...doc.studioMode, previewSceneId: doc.studioMode.swap ? program : preview } };
    }
  }
}

/** A new source of a kind, filling the output frame, with a unique id (and a mixer channel if it has sound). */
export function newSource(kind: SourceKind, id: string, name: string, outW: number, outH: number): SceneSource {
  const src: SceneSource = { id, name, visible: true, locked: false, transform: defaultTransform(outW, outH), settings: defaultSettings(kind) };
  if (AUDIO_KINDS.has(kind)) src.audio = defaultAudio();
  return src;
}
