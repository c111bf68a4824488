// Versioned migrations of the saved scene document. Each step takes version N to N+1; load()
// runs the steps needed and then validates the result, so a damaged file is a typed error.
import { InputError } from '../errors';
import { SCENE_DOC_VERSION, SceneDocSchema, defaultAudio, defaultSettings, defaultTransform, type SceneDoc, type SourceKind } from './model';

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * v1 (the first shipped default-scene.json): sources were `{id, kind, name, visible}` without
 * transforms or settings, and there was no transition. v2 adds transform, settings, locked and
 * a document-level transition. `testsrc` sources of v1 become colour sources.
 */
function v1to2(doc: Json, out: { width: number; height: number }): Json {
  const scenes = Array.isArray(doc.scenes) ? doc.scenes : [];
  return {
    version: 2,
    activeSceneId: doc.activeSceneId,
    transition: { kind: 'fade', durationMs: 300 },
    scenes: scenes.filter(isObj).map((s) => ({
      id: s.id,
      name: s.name,
      sources: (Array.isArray(s.sources) ? s.sources : []).filter(isObj).map((src) => {
        const kind = (src.kind === 'testsrc' ? 'color' : src.kind) as SourceKind;
        return {
          id: src.id,
          name: src.name,
          visible: src.visible ?? true,
          locked: false,
          transform: defaultTransform(out.width, out.height),
          settings: defaultSettings(kind),
        };
      }),
    })),
  };
}

/**
 * v3 adds the mixer channel to sources with sound (camera, media, screen: gain 0 dB, not muted,
 * no offset; the mixer kept them in memory only before), `audio: false` to screen sources, studio
 * mode (off, the preview on the program scene, swap on), and drops blob: media URLs, which were
 * dead after a reload anyway (the source stays, with no file chosen).
 */
function v2to3(doc: Json): Json {
  const scenes = Array.isArray(doc.scenes) ? doc.scenes : [];
  return {
    ...doc,
    version: 3,
    studioMode: { enabled: false, previewSceneId: doc.activeSceneId, swap: true },
    scenes: scenes.filter(isObj).map((s) => ({
      ...s,
      sources: (Array.isArray(s.sources) ? s.sources : []).filter(isObj).map((src) => {
        const settings = isObj(src.settings) ? { ...src.settings } : src.settings;
        if (isObj(settings)) {
          if (settings.kind === 'screen' && settings.audio === undefined) settings.audio = false;
          if (settings.kind === 'media' && typeof settings.src === 'string' && settings.src.startsWith('blob:')) settings.src = '';
        }
        const kind = isObj(settings) ? settings.kind : undefined;
        const withAudio = kind === 'camera' || kind === 'media' || kind === 'screen';
        return withAudio && src.audio === undefined ? { ...src, settings, audio: defaultAudio() } : { ...src, settings };
      }),
    })),
  };
}

const STEPS: Record<number, (doc: Json, out: { width: number; height: number }) => Json> = { 1: v1to2, 2: v2to3 };

export function migrateSceneDoc(raw: unknown, out = { width: 1280, height: 720 }): SceneDoc {
  if (!isObj(raw)) throw new InputError('invalid-file', 'the scene file is not a JSON object');
  let doc = raw;
  let version = typeof doc.version === 'number' ? doc.version : 1;
  if (version > SCENE_DOC_VERSION) {
    throw new InputError('invalid-file', `the scene file is version ${version}, newer than this Tandem Studio understands (${SCENE_DOC_VERSION})`);
  }
  while (version < SCENE_DOC_VERSION) {
    const step = STEPS[version];
    if (!step) throw new InputError('invalid-file', `no migration from scene file version ${version}`);
    doc = step(doc, out);
    version++;
  }
  const parsed = SceneDocSchema.safeParse(doc);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new InputError('invalid-file', `the scene file is damaged: ${first ? `${first.path.join('.')}: ${first.message}` : 'invalid'}`);
  }
  let d = parsed.data;
  const first = d.scenes[0];
  if (first && !d.scenes.some((s) => s.id === d.activeSceneId)) d = { ...d, activeSceneId: first.id };
  if (!d.scenes.some((s) => s.id === d.studioMode.previewSceneId)) d = { ...d, studioMode: { ...d.studioMode, previewSceneId: d.activeSceneId } };
  return d;
}
