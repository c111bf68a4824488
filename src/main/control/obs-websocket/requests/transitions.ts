// Scene transitions (protocol.md "Transitions" requests) on the scene document's transition
// {kind: 'cut' | 'fade', durationMs}: two transitions, named as OBS names its built-ins.
// TriggerStudioModeTransition sends the preview to program (the studio page plays the transition).
import type { Transition } from '../../../../shared/scene/model';
import { RequestError } from '../fields';
import { requireStudioMode } from '../model';
import { Status, type JsonObject } from '../protocol';
import type { RequestTable } from './table';

const TRANSITIONS: Record<Transition['kind'], { name: string; uuid: string; obsKind: string; fixed: boolean }> = {
  cut: { name: 'Cut', uuid: 'tandem-transition-cut', obsKind: 'cut_transition', fixed: true },
  fade: { name: 'Fade', uuid: 'tandem-transition-fade', obsKind: 'fade_transition', fixed: false },
};
const KINDS = Object.keys(TRANSITIONS) as Transition['kind'][];

/** Tandem's scene model takes 0–10 000 ms; obs-websocket asks for at least 50. */
const MIN_DURATION = 50;
const MAX_DURATION = 10_000;

export function transitionJson(kind: Transition['kind']): JsonObject {
  const t = TRANSITIONS[kind];
  return { transitionName: t.name, transitionUuid: t.uuid, transitionKind: t.obsKind, transitionFixed: t.fixed, transitionConfigurable: false };
}

export const transitionRequests: RequestTable = {
  GetTransitionKindList: () => ({ transitionKinds: KINDS.map((k) => TRANSITIONS[k].obsKind) }),

  GetSceneTransitionList: (_f, { engine }) => {
    const cur = TRANSITIONS[engine.getState().sceneDoc.transition.kind];
    return {
      currentSceneTransitionName: cur.name,
      currentSceneTransitionUuid: cur.uuid,
      currentSceneTransitionKind: cur.obsKind,
      transitions: KINDS.map(transitionJson),
    };
  },

  GetCurrentSceneTransition: (_f, { engine }) => {
    const t = engine.getState().sceneDoc.transition;
    return { ...transitionJson(t.kind), transitionDuration: TRANSITIONS[t.kind].fixed ? null : t.durationMs, transitionSettings: null };
  },

  SetCurrentSceneTransition: async (f, { engine }) => {
    const name = f.string('transitionName');
    const kind = KINDS.find((k) => TRANSITIONS[k].name === name);
    if (!kind) throw new RequestError(Status.ResourceNotFound, 'No scene transition was found by that name.');
    const cur = engine.getState().sceneDoc.transition;
    if (cur.kind !== kind) await engine.setTransition({ kind, durationMs: cur.durationMs });
    return undefined;
  },

  SetCurrentSceneTransitionDuration: async (f, { engine }) => {
    const ms = f.number('transitionDuration', { min: MIN_DURATION, max: MAX_DURATION });
    const cur = engine.getState().sceneDoc.transition;
    if (TRANSITIONS[cur.kind].fixed) throw new RequestError(Status.ResourceNotConfigurable, 'The current scene transition has a fixed duration.');
    await engine.setTransition({ kind: cur.kind, durationMs: Math.round(ms) });
    return undefined;
  },

  TriggerStudioModeTransition: async (_f, { engine }) => {
    requireStudioMode(engine.getState().sceneDoc);
    await engine.sceneOp({ op: 'transitionToProgram' });
    return undefined;
  },
};
