// zod schema of SceneOp, for validating edits that cross a process boundary.
import { z } from 'zod';
import { SceneSourceSchema, TransformSchema } from './model';

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
]);
