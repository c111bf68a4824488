// The scene model: pure data and zod schemas, shared by the renderer (editing, compositing) and
// the engine (persistence). A document is versioned; migrate.ts brings older ones forward.
import { z } from 'zod';

export const SCENE_DOC_VERSION = 3;

const unit = z.number().min(0).max(1);
const colour = z.string().regex(/^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$/, 'a colour is #rrggbb or #rrggbbaa');

/** Position and size in output pixels; crop in source pixels; rotation in degrees. */
export const TransformSchema = z.object({
  x: z.number(),
  y: z.number(),
  width: z.number().positive(),
  height: z.number().positive(),
  rotation: z.number().min(-360).max(360),
  opacity: unit,
  crop: z.object({ left: z.number().min(0), top: z.number().min(0), right: z.number().min(0), bottom: z.number().min(0) }),
});
export type Transform = z.infer<typeof TransformSchema>;

export const SourceSettingsSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('color'), color: colour }),
  z.object({
    kind: z.literal('text'),
    text: z.string().max(2000),
    font: z.string().min(1).max(200),
    size: z.number().min(4).max(1000),
    color: colour,
    outlineColor: colour,
    outlineWidth: z.number().min(0).max(50),
  }),
  z.object({ kind: z.literal('image'), src: z.string().max(8_000_000) }),
  /**
   * `src`: `tandem-media:<id>` for a file the engine keeps in its data folder (browser mode
   * uploads), `file:///…` for a file kept by path (desktop app), or '' until one is chosen. Never a
   * blob: URL (dead after a reload).
   */
  z.object({ kind: z.literal('media'), src: z.string().max(4096).refine((v) => !v.startsWith('blob:'), 'a media file must be kept by path or uploaded, not a blob: URL'), loop: z.boolean(), volume: unit }),
  z.object({ kind: z.literal('camera'), deviceId: z.string().max(512), audioDeviceId: z.string().max(512) }),
  /** `audio`: capture the screen's or window's sound too, where the platform gives it. */
  z.object({ kind: z.literal('screen'), sourceId: z.string().max(512), audio: z.boolean() }),
  /** A microphone on its own (no picture). */
  z.object({ kind: z.literal('microphone'), deviceId: z.string().max(512) }),
  z.object({ kind: z.literal('clock'), format: z.enum(['time', 'timecode']), size: z.number().min(4).max(1000), color: colour }),
]);
export type SourceSettings = z.infer<typeof SourceSettingsSchema>;
export type SourceKind = SourceSettings['kind'];

/** The mixer channel of a source that carries sound: gain, mute and a sync offset, saved with the scene. */
export const AudioSettingsSchema = z.object({
  gainDb: z.number().min(-60).max(20),
  muted: z.boolean(),
  /** Delays this source's sound (positive) to line it up with its picture, ms. */
  syncOffsetMs: z.number().int().min(0).max(2000),
});
export type AudioSettings = z.infer<typeof AudioSettingsSchema>;

export const SceneSourceSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1).max(120),
  visible: z.boolean(),
  locked: z.boolean(),
  transform: TransformSchema,
  settings: SourceSettingsSchema,
  /** Present on the kinds that carry sound (camera, microphone, media, screen). */
  audio: AudioSettingsSchema.optional(),
});
export type SceneSource = z.infer<typeof SceneSourceSchema>;

/** Sources are drawn in array order: index 0 is the bottom of the stack. */
export const StudioSceneSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1).max(120),
  sources: z.array(SceneSourceSchema),
});
export type StudioScene = z.infer<typeof StudioSceneSchema>;

export const TransitionSchema = z.object({ kind: z.enum(['cut', 'fade']), durationMs: z.number().int().min(0).max(10_000) });
export type Transition = z.infer<typeof TransitionSchema>;

/**
 * Studio mode (docs/ARCHITECTURE.md "Studio mode"): edits and scene clicks go to the preview scene;
 * Transition sends it to program (activeSceneId). `swap`: the old program becomes the preview.
 */
export const StudioModeSchema = z.object({ enabled: z.boolean(), previewSceneId: z.string(), swap: z.boolean() });
export type StudioMode = z.infer<typeof StudioModeSchema>;

export const SceneDocSchema = z.object({
  version: z.literal(SCENE_DOC_VERSION),
  /** The program scene: what is recorded and streamed. */
  activeSceneId: z.string(),
  transition: TransitionSchema,
  studioMode: StudioModeSchema,
  scenes: z.array(StudioSceneSchema).min(1),
});
export type SceneDoc = z.infer<typeof SceneDocSchema>;

/** Kinds with a mixer channel. */
export const AUDIO_KINDS: ReadonlySet<SourceKind> = new Set<SourceKind>(['camera', 'microphone', 'media', 'screen']);

export const defaultAudio = (): AudioSettings => ({ gainDb: 0, muted: false, syncOffsetMs: 0 });

export function defaultTransform(width: number, height: number): Transform {
  return { x: 0, y: 0, width, height, rotation: 0, opacity: 1, crop: { left: 0, top: 0, right: 0, bottom: 0 } };
}

export function defaultSettings(kind: SourceKind): SourceSettings {
  switch (kind) {
    case 'color':
      return { kind, color: '#1f6feb' };
    case 'text':
      return { kind, text: 'Tandem Studio', font: 'sans-serif', size: 64, color: '#ffffff', outlineColor: '#000000', outlineWidth: 0 };
    case 'image':
      return { kind, src: '' };
    case 'media':
      return { kind, src: '', loop: true, volume: 1 };
    case 'camera':
      return { kind, deviceId: '', audioDeviceId: '' };
    case 'screen':
      return { kind, sourceId: '', audio: false };
    case 'microphone':
      return { kind, deviceId: '' };
    case 'clock':
      return { kind, format: 'time', size: 48, color: '#ffffff' };
  }
}
