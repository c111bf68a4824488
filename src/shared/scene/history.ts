// Undo/redo over immutable scene documents. Bounded; a new edit clears the redo stack.
import type { SceneDoc } from './model';
import { applyOp, type SceneOp } from './ops';

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
    // Switching scenes is navigation, not an edit: it does not enter the undo stack.
    if (op.op !== 'setActiveScene') {
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
      this.current = { ...prev, activeSceneId: prev.scenes.some((s) => s.id === this.current.activeSceneId) ? this.current.activeSceneId : prev.activeSceneId };
    }
    return this.current;
  }

  redo(): SceneDoc {
    const next = this.future.pop();
    if (next) {
      this.past.push(this.current);
      this.current = next;
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
