// Every request this endpoint answers. Anything else is UnknownRequestType (204), as obs-websocket
// answers requests it does not know; GetVersion lists exactly these keys as availableRequests.
//
// Not here yet, because today's StudioApi has nothing honest to back them (each is a few lines
// in a new table like the ones below, once it does):
//   studio mode   GetStudioModeEnabled, SetStudioModeEnabled, GetCurrentPreviewScene,
//                 SetCurrentPreviewScene, TriggerStudioModeTransition (then also set
//                 currentPreviewScene* in GetSceneList and emit StudioModeStateChanged /
//                 CurrentPreviewSceneChanged from events.ts)
//   input audio   GetInputMute, SetInputMute, ToggleInputMute, GetInputVolume, SetInputVolume
//                 (findInput() in ../model.ts resolves inputName / inputUuid to scene + source;
//                 emit InputMuteStateChanged / InputVolumeChanged from events.ts)
//   transforms    GetSceneItemTransform, SetSceneItemTransform (needs each source's native size
//                 for scaleX / scaleY)
//   screenshots   GetSourceScreenshot (the picture lives in the renderer; then list the formats in
//                 GetVersion's supportedImageFormats)
import { generalRequests } from './general';
import { outputRequests } from './outputs';
import { sceneRequests } from './scenes';
import type { RequestTable } from './table';
import { transitionRequests } from './transitions';

export const REQUESTS: RequestTable = {
  ...generalRequests,
  ...sceneRequests,
  ...transitionRequests,
  ...outputRequests,
};

export const REQUEST_TYPES: readonly string[] = Object.keys(REQUESTS).sort();
