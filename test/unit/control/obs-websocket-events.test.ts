// The events the obs-websocket endpoint derives from the Studio's state: each scene edit through
// the StudioApi becomes the obs-websocket events (type, intent, data) OBS would send for it.
import { describe, expect, it } from 'vitest';
import { Studio } from '../../../src/main/studio/studio';
import { diffState, type ObsEvent } from '../../../src/main/control/obs-websocket/events';
import { ItemIds } from '../../../src/main/control/obs-websocket/model';
import { Sub } from '../../../src/main/control/obs-websocket/protocol';
import { newSource } from '../../../src/shared/scene/ops';

function watch(studio: Studio): { take(): ObsEvent[]; ids: ItemIds } {
  const ids = new ItemIds();
  ids.prime(studio.getState().sceneDoc);
  let prev = studio.getState();
  let got: ObsEvent[] = [];
  studio.on('state', (s) => {
    got.push(...diffState(prev, s, ids));
    prev = s;
  });
  return {
    ids,
    take() {
      const out = got;
      got = [];
      return out;
    },
  };
}

const types = (es: ObsEvent[]) => es.map((e) => e.eventType);

describe('obs-websocket events from Studio state', () => {
  it('scene and scene-item edits', () => {
    const studio = new Studio({ mode: 'headless' });
    const w = watch(studio);
    studio.sceneOp({ op: 'addScene', id: 'scene-3', name: 'Third' });
    const created = w.take();
    expect(types(created)).toEqual(['SceneCreated', 'SceneListChanged']);
    expect(created[0]).toEqual({ eventType: 'SceneCreated', eventIntent: Sub.Scenes, eventData: { sceneName: 'Third', sceneUuid: 'scene-3', isGroup: false } });
    expect(created[1]?.eventData?.scenes).toEqual([
      { sceneIndex: 0, sceneName: 'Third', sceneUuid: 'scene-3' },
      { sceneIndex: 1, sceneName: 'Be right back', sceneUuid: 'scene-brb' },
      { sceneIndex: 2, sceneName: 'Main', sceneUuid: 'scene-main' },
    ]);

    studio.sceneOp({ op: 'renameScene', sceneId: 'scene-3', name: 'Interview' });
    expect(w.take().map((e) => [e.eventType, e.eventData?.oldSceneName ?? null])).toEqual([['SceneNameChanged', 'Third'], ['SceneListChanged', null]]);

    studio.sceneOp({ op: 'addSource', sceneId: 'scene-3', source: newSource('camera', 'cam', 'Guest cam', 1280, 720) });
    const added = w.take();
    expect(types(added)).toEqual(['InputCreated', 'SceneItemCreated']);
    expect(added[0]).toMatchObject({ eventIntent: Sub.Inputs, eventData: { inputName: 'Guest cam', inputUuid: 'scene-3/cam', inputKind: 'tandem_camera', inputKindCaps: 3 } });
    expect(added[1]).toMatchObject({ eventIntent: Sub.SceneItems, eventData: { sceneName: 'Interview', sourceName: 'Guest cam', sceneItemId: 1, sceneItemIndex: 0 } });

    studio.sceneOp({ op: 'updateSource', sceneId: 'scene-3', sourceId: 'cam', patch: { name: 'Host cam' } });
    expect(w.take()).toEqual([{ eventType: 'InputNameChanged', eventIntent: Sub.Inputs, eventData: { inputUuid: 'scene-3/cam', oldInputName: 'Guest cam', inputName: 'Host cam' } }]);

    studio.sceneOp({ op: 'setLocked', sceneId: 'scene-main', sourceId: 'src-title', locked: true });
    const titleId = w.ids.idOf('scene-main', 'src-title');
    expect(w.take()).toEqual([{ eventType: 'SceneItemLockStateChanged', eventIntent: Sub.SceneItems, eventData: { sceneName: 'Main', sceneUuid: 'scene-main', sceneItemId: titleId, sceneItemLocked: true } }]);

    studio.sceneOp({ op: 'moveSource', sceneId: 'scene-main', sourceId: 'src-bg', toIndex: 2 });
    const moved = w.take();
    expect(types(moved)).toEqual(['SceneItemListReindexed']);
    expect((moved[0]?.eventData?.sceneItems as { sceneItemIndex: number }[]).map((i) => i.sceneItemIndex)).toEqual([0, 1, 2]);

    studio.sceneOp({ op: 'setTransform', sceneId: 'scene-3', sourceId: 'cam', transform: { x: 40 } });
    const moved2 = w.take();
    expect(moved2).toHaveLength(1);
    expect(moved2[0]).toMatchObject({ eventType: 'SceneItemTransformChanged', eventIntent: Sub.SceneItemTransformChanged, eventData: { sceneItemTransform: { positionX: 40 } } });

    studio.sceneOp({ op: 'removeSource', sceneId: 'scene-3', sourceId: 'cam' });
    expect(types(w.take())).toEqual(['SceneItemRemoved', 'InputRemoved']);
    studio.sceneOp({ op: 'addSource', sceneId: 'scene-3', source: newSource('text', 'cam', 'Again', 100, 100) });
    expect(w.take()[1]?.eventData?.sceneItemId).toBe(1); // the same source id keeps its number

    studio.setActiveScene({ id: 'scene-3' });
    expect(w.take()).toEqual([{ eventType: 'CurrentProgramSceneChanged', eventIntent: Sub.Scenes, eventData: { sceneName: 'Interview', sceneUuid: 'scene-3' } }]);
    studio.sceneOp({ op: 'removeScene', sceneId: 'scene-3' });
    expect(types(w.take())).toEqual(['SceneRemoved', 'InputRemoved', 'CurrentProgramSceneChanged', 'SceneListChanged']);
  });

  it('transition changes', () => {
    const studio = new Studio({ mode: 'headless' });
    const w = watch(studio);
    const cur = studio.getState().sceneDoc.transition;
    const other = cur.kind === 'cut' ? 'fade' : 'cut';
    studio.setTransition({ kind: other, durationMs: cur.durationMs + 100 });
    expect(w.take()).toEqual([
      { eventType: 'CurrentSceneTransitionChanged', eventIntent: Sub.Transitions, eventData: { transitionName: other === 'cut' ? 'Cut' : 'Fade', transitionUuid: `tandem-transition-${other}` } },
      { eventType: 'CurrentSceneTransitionDurationChanged', eventIntent: Sub.Transitions, eventData: { transitionDuration: cur.durationMs + 100 } },
    ]);
    studio.updateSettings({ language: 'en' }); // a state change with nothing for obs-websocket
    expect(w.take()).toEqual([]);
  });
});
