// zod schema of SceneOp, for validating edits that cross a process boundary.
import { z } from 'zod';
import { AudioSettingsSchema, SceneSourceSchema, TransformSchema } from './model';

const id = z.string().min(1).max(128);
const name = z.string().trim().min(1).max(120);

export const SceneOpSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('addScene'), id, name }).strict(),
  z.object({ op: z.literal('removeScene'), sceneId: id }).strict(),
  z.object({ op: z.literal('renameScene'), sceneId: id, name }).strict(),
  z.object({ op: z.literal('setActiveScene'), sceneId: id }).strict(),
  z.object({ op: z.literal('addSource'), sceneId: id, source: SceneSourceSchema }).strict(),
  z.object({ op: z.literal('removeSource'), sceneId: id, sourceId: id }).strict(),
  z
    .object({
      op: z.literal('updateSource'),
      sceneId: id,
      sourceId: id,
      patch: SceneSourceSchema.omit({ id: true }).partial().strict(),
    })
    .strict(),
  z.object({ op: z.literal('setTransform'), sceneId: id, sourceId: id, transform: TransformSchema.partial().strict() }).strict(),
  z.object({ op: z.literal('moveSource'), sceneId: id, sourceId: id, toIndex: z.number().int() }).strict(),
  z.object({ op: z.literal('setVisible'), sceneId: id, sourceId: id, visible: z.boolean() }).strict(),
  z.object({ op: z.literal('setLocked'), sceneId: id, sourceId: id, locked: z.boolean() }).strict(),
  z.object({ op: z.literal('renameSource'), sceneId: id, sourceId: id, name }).strict(),
  z.object({ op: z.literal('duplicateScene'), sceneId: id, newId: id, name }).strict(),
  /** The copy goes right above the original, with its own id. */
  z.object({ op: z.literal('duplicateSource'), sceneId: id, sourceId: id, newId: id, name: name.optional() }).strict(),
  /** A source's mixer channel (not an undoable edit: the mixer is live). */
  z.object({ op: z.literal('setAudio'), sceneId: id, sourceId: id, audio: AudioSettingsSchema.partial().strict() }).strict(),
  z.object({ op: z.literal('setStudioMode'), enabled: z.boolean(), swap: z.boolean().optional() }).strict(),
  z.object({ op: z.literal('setPreviewScene'), sceneId: id }).strict(),
  /** Studio mode: the preview scene goes to program (the renderer plays the document's transition). */
  z.object({ op: z.literal('transitionToProgram') }).strict(),
]);

/** Ops that are navigation or live mixing, not edits: they never enter the undo stack. */
export const NOT_UNDOABLE: ReadonlySet<string> = new Set(['setActiveScene', 'setPreviewScene', 'setStudioMode', 'transitionToProgram', 'setAudio']);
