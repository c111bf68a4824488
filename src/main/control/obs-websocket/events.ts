// obs-websocket events derived from the Studio's `state` events: each new state is compared with
// the previous one and the differences become the events OBS would have sent (protocol.md
// "Events"), each with the subscription intent it needs. Pure, apart from the id registry.
import type { Destination, StudioState } from '../../../shared/api';
import type { SceneSource, StudioScene } from '../../../shared/scene/model';
import { inputJson, inputUuid, sceneListJson, transformJson, volumeJson, type ItemIds } from './model';
import { Sub, outputStateActive, type JsonObject, type ObsOutputState } from './protocol';
import { streamState } from './requests/outputs';
import { transitionJson } from './requests/transitions';
import { asJson } from './requests/table';
import { VENDOR_NAME } from './requests/vendor';

export interface ObsEvent {
  eventType: string;
  eventIntent: number;
  eventData?: JsonObject;
}

const ev = (eventType: string, eventIntent: number, eventData?: JsonObject): ObsEvent =>
  eventData === undefined ? { eventType, eventIntent } : { eventType, eventIntent, eventData };

export function exitStarted(): ObsEvent {
  return ev('ExitStarted', Sub.General);
}

export function vendorEvent(eventType: string, eventData: JsonObject): ObsEvent {
  return ev('VendorEvent', Sub.Vendors, { vendorName: VENDOR_NAME, eventType, eventData });
}

export function diffState(prev: StudioState, next: StudioState, ids: ItemIds): ObsEvent[] {
  return [
    ...sceneEvents(prev, next, ids),
    ...studioModeEvents(prev, next),
    ...transitionEvents(prev, next),
    ...outputEvents(prev, next),
    ...destinationEvents(prev.destinations, next.destinations),
  ];
}

const listKey = (scenes: readonly StudioScene[]): string => JSON.stringify(scenes.map((s) => [s.id, s.name]));

function sceneEvents(prev: StudioState, next: StudioState, ids: ItemIds): ObsEvent[] {
  const out: ObsEvent[] = [];
  const a = prev.sceneDoc;
  const b = next.sceneDoc;
  if (a === b) return out;
  const before = new Map(a.scenes.map((s) => [s.id, s]));
  const after = new Map(b.scenes.map((s) => [s.id, s]));
  for (const s of a.scenes) {
    if (after.has(s.id)) continue;
    out.push(ev('SceneRemoved', Sub.Scenes, { sceneName: s.name, sceneUuid: s.id, isGroup: false }));
    for (const src of s.sources) out.push(ev('InputRemoved', Sub.Inputs, { inputName: src.name, inputUuid: inputUuid(s, src) }));
  }
  for (const s of b.scenes) {
    const old = before.get(s.id);
    if (!old) out.push(ev('SceneCreated', Sub.Scenes, { sceneName: s.name, sceneUuid: s.id, isGroup: false }));
    else if (old.name !== s.name) out.push(ev('SceneNameChanged', Sub.Scenes, { sceneUuid: s.id, oldSceneName: old.name, sceneName: s.name }));
    if (old !== s) out.push(...itemEvents(old, s, ids));
  }
  const cur = b.scenes.find((s) => s.id === b.activeSceneId);
  if (a.activeSceneId !== b.activeSceneId && cur) out.push(ev('CurrentProgramSceneChanged', Sub.Scenes, { sceneName: cur.name, sceneUuid: cur.id }));
  if (listKey(a.scenes) !== listKey(b.scenes)) out.push(ev('SceneListChanged', Sub.Scenes, { scenes: sceneListJson(b) }));
  return out;
}

function itemEvents(old: StudioScene | undefined, s: StudioScene, ids: ItemIds): ObsEvent[] {
  const out: ObsEvent[] = [];
  const where = { sceneName: s.name, sceneUuid: s.id };
  const before = new Map((old?.sources ?? []).map((x) => [x.id, x]));
  const now = new Set(s.sources.map((x) => x.id));
  const item = (src: SceneSource): JsonObject => ({ ...where, sourceName: src.name, sourceUuid: inputUuid(s, src), sceneItemId: ids.idOf(s.id, src.id) });
  for (const src of old?.sources ?? []) {
    if (now.has(src.id)) continue;
    out.push(ev('SceneItemRemoved', Sub.SceneItems, item(src)));
    out.push(ev('InputRemoved', Sub.Inputs, { inputName: src.name, inputUuid: inputUuid(s, src) }));
  }
  s.sources.forEach((src, index) => {
    const was = before.get(src.id);
    const id = ids.idOf(s.id, src.id);
    if (!was) {
      out.push(ev('InputCreated', Sub.Inputs, inputJson(s, src)));
      out.push(ev('SceneItemCreated', Sub.SceneItems, { ...item(src), sceneItemIndex: index }));
      return;
    }
    if (was === src) return;
    if (was.name !== src.name) out.push(ev('InputNameChanged', Sub.Inputs, { inputUuid: inputUuid(s, src), oldInputName: was.name, inputName: src.name }));
    if (was.visible !== src.visible) out.push(ev('SceneItemEnableStateChanged', Sub.SceneItems, { ...where, sceneItemId: id, sceneItemEnabled: src.visible }));
    if (was.locked !== src.locked) out.push(ev('SceneItemLockStateChanged', Sub.SceneItems, { ...where, sceneItemId: id, sceneItemLocked: src.locked }));
    out.push(...audioEvents(s, was, src));
    if (was.transform !== src.transform && JSON.stringify(was.transform) !== JSON.stringify(src.transform)) {
      out.push(ev('SceneItemTransformChanged', Sub.SceneItemTransformChanged, { ...where, sceneItemId: id, sceneItemTransform: transformJson(src) }));
    }
  });
  const common = (list: readonly SceneSource[]) => list.filter((x) => now.has(x.id) && before.has(x.id)).map((x) => x.id).join('\u0000');
  if (old && common(old.sources) !== common(s.sources)) {
    const sceneItems = s.sources.map((src, i): JsonObject => ({ sceneItemId: ids.idOf(s.id, src.id), sceneItemIndex: i }));
    out.push(ev('SceneItemListReindexed', Sub.SceneItems, { ...where, sceneItems }));
  }
  return out;
}

/** InputMuteStateChanged, InputVolumeChanged, InputAudioSyncOffsetChanged from a mixer edit. */
function audioEvents(scene: StudioScene, was: SceneSource, src: SceneSource): ObsEvent[] {
  const a = was.audio;
  const b = src.audio;
  if (!a || !b || a === b) return [];
  const input = { inputName: src.name, inputUuid: inputUuid(scene, src) };
  const out: ObsEvent[] = [];
  if (a.muted !== b.muted) out.push(ev('InputMuteStateChanged', Sub.Inputs, { ...input, inputMuted: b.muted }));
  if (a.gainDb !== b.gainDb) out.push(ev('InputVolumeChanged', Sub.Inputs, { ...input, ...volumeJson(b.gainDb) }));
  if (a.syncOffsetMs !== b.syncOffsetMs) out.push(ev('InputAudioSyncOffsetChanged', Sub.Inputs, { ...input, inputAudioSyncOffset: b.syncOffsetMs }));
  return out;
}

/**
 * StudioModeStateChanged (intent Ui), and CurrentPreviewSceneChanged while studio mode is on: when
 * the preview changes, and when studio mode comes on (OBS then announces its preview scene).
 */
function studioModeEvents(prev: StudioState, next: StudioState): ObsEvent[] {
  const a = prev.sceneDoc;
  const b = next.sceneDoc;
  if (a === b || a.studioMode === b.studioMode) return [];
  const out: ObsEvent[] = [];
  if (a.studioMode.enabled !== b.studioMode.enabled) out.push(ev('StudioModeStateChanged', Sub.Ui, { studioModeEnabled: b.studioMode.enabled }));
  const pre = b.scenes.find((s) => s.id === b.studioMode.previewSceneId);
  const moved = a.studioMode.previewSceneId !== b.studioMode.previewSceneId || !a.studioMode.enabled;
  if (b.studioMode.enabled && moved && pre) out.push(ev('CurrentPreviewSceneChanged', Sub.Scenes, { sceneName: pre.name, sceneUuid: pre.id }));
  return out;
}

function transitionEvents(prev: StudioState, next: StudioState): ObsEvent[] {
  const a = prev.sceneDoc.transition;
  const b = next.sceneDoc.transition;
  const out: ObsEvent[] = [];
  if (a.kind !== b.kind) {
    const t = transitionJson(b.kind);
    out.push(ev('CurrentSceneTransitionChanged', Sub.Transitions, { transitionName: t.transitionName ?? null, transitionUuid: t.transitionUuid ?? null }));
  }
  if (a.durationMs !== b.durationMs) out.push(ev('CurrentSceneTransitionDurationChanged', Sub.Transitions, { transitionDuration: b.durationMs }));
  return out;
}

function outputEvents(prev: StudioState, next: StudioState): ObsEvent[] {
  const out: ObsEvent[] = [];
  const was = streamState(prev);
  const is = streamState(next);
  if (was !== is) {
    const state: ObsOutputState = was === 'OBS_WEBSOCKET_OUTPUT_RECONNECTING' && is === 'OBS_WEBSOCKET_OUTPUT_STARTED' ? 'OBS_WEBSOCKET_OUTPUT_RECONNECTED' : is;
    out.push(ev('StreamStateChanged', Sub.Outputs, { outputActive: outputStateActive(state), outputState: state }));
  }
  const r0 = prev.recording;
  const r1 = next.recording;
  if (r0.active !== r1.active) {
    const state: ObsOutputState = r1.active ? 'OBS_WEBSOCKET_OUTPUT_STARTED' : 'OBS_WEBSOCKET_OUTPUT_STOPPED';
    out.push(ev('RecordStateChanged', Sub.Outputs, { outputActive: r1.active, outputState: state, outputPath: r1.path ?? null }));
  }
  return out;
}

const destKey = (list: readonly Destination[]): string => JSON.stringify(list.map((d) => [d.id, d.name, d.protocol, d.url, d.enabled, d.hasSecret]));

function destinationEvents(a: readonly Destination[], b: readonly Destination[]): ObsEvent[] {
  const out: ObsEvent[] = [];
  const before = new Map(a.map((d) => [d.id, d]));
  for (const d of b) {
    const was = before.get(d.id);
    if (!was || was.state === d.state) continue;
    const data: JsonObject = { destinationId: d.id, destinationName: d.name, state: d.state };
    if (d.error) data.error = { code: d.error.code, message: d.error.message };
    out.push(vendorEvent('DestinationStateChanged', data));
  }
  if (destKey(a) !== destKey(b)) out.push(vendorEvent('DestinationListChanged', { destinations: b.map(asJson) }));
  return out;
}
