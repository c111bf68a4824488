// Every request this endpoint answers. Anything else is UnknownRequestType (204), as obs-websocket
// answers requests it does not know; GetVersion lists exactly these keys as availableRequests.
// Requests OBS has and Tandem has nothing honest to back (filters, media-input control, hotkeys,
// profiles, scene collections, virtual cam, replay buffer, projectors) are left out rather than
// faked, so a client sees at once they are not there.
import { generalRequests } from './general';
import { inputRequests } from './inputs';
import { outputRequests } from './outputs';
import { sceneItemRequests } from './scene-items';
import { sceneRequests } from './scenes';
import { sourceRequests } from './sources';
import type { RequestTable } from './table';
import { transitionRequests } from './transitions';
import { uiRequests } from './ui';

export const REQUESTS: RequestTable = {
  ...generalRequests,
  ...sceneRequests,
  ...sceneItemRequests,
  ...inputRequests,
  ...sourceRequests,
  ...transitionRequests,
  ...uiRequests,
  ...outputRequests,
};

export const REQUEST_TYPES: readonly string[] = Object.keys(REQUESTS).sort();
