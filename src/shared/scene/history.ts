// Undo/redo over immutable scene documents. Bounded; a new edit clears the redo stack.
import type { SceneDoc } from './model';
import { applyOp, type SceneOp } from './ops';
import { NOT_UNDOABLE } from './op-schema';

export class SceneHistory {
  private past: SceneDoc[] = [];
  private future: SceneDoc[] = [];
  constructor(
    private current: SceneDoc,
    private readonly limit = 200,
  ) {}

  get doc(): SceneDoc {
    return this.current;
  }
  get canUndo(): boolean {
    return this.past.length > 0;
  }
  get canRedo(): boolean {
    return this.future.length > 0;
  }

  /** Applies an operation; throws (leaving history untouched) when the op is invalid. */
  apply(op: SceneOp): SceneDoc {
    const next = applyOp(this.current, op);
    // Switching scenes is navigation and the mixer is live, not edits: they do not enter the undo stack.
    if (!NOT_UNDOABLE.has(op.op)) {
      this.past.push(this.current);
      if (this.past.length > this.limit) this.past.shift();
      this.future = [];
    }
    this.current = next;
    return next;
  }

  undo(): SceneDoc {
    const prev = this.past.pop();
    if (prev) {
      this.future.push(this.current);
      this.current = withNavigation(prev, this.current);
    }
    return this.current;
  }

  redo(): SceneDoc {
    const next = this.future.pop();
    if (next) {
      this.past.push(this.current);
      this.current = withNavigation(next, this.current);
    }
    return this.current;
  }

  /** Replace the document wholesale (load from disk): history starts over. */
  reset(doc: SceneDoc): void {
    this.current = doc;
    this.past = [];
    this.future = [];
  }
}

/**
 * Undo and redo restore edits, not navigation or the live mixer: keep the current program and
 * preview scenes and studio mode (where the scenes still exist), and every source's current audio.
 */
function withNavigation(doc: SceneDoc, now: SceneDoc): SceneDoc {
  const has = (id: string): boolean => doc.scenes.some((s) => s.id === id);
  const audio = new Map(now.scenes.flatMap((s) => s.sources.map((src) => [`${s.id}/${src.id}`, src.audio] as const)));
  return {
    ...doc,
    activeSceneId: has(now.activeSceneId) ? now.activeSceneId : doc.activeSceneId,
    studioMode: { ...now.studioMode, previewSceneId: has(now.studioMode.previewSceneId) ? now.studioMode.previewSceneId : doc.studioMode.previewSceneId },
    scenes: doc.scenes.map((s) => ({
      ...s,
      sources: s.sources.map((src) => {
        const a = audio.get(`${s.id}/${src.id}`);
        return a ? { ...src, audio: a } : src;
      }),
    })),
  };
}
