// The StudioApi method and event names, with no runtime dependencies: the sandboxed preload
// imports this to expose one named function per method (it cannot load zod).

export const API_METHODS = [
  'getState',
  'setActiveScene',
  'sceneOp',
  'setTransition',
  'undo',
  'redo',
  'listDestinations',
  'addDestination',
  'updateDestination',
  'removeDestination',
  'getSettings',
  'updateSettings',
  'goLive',
  'stopLive',
  'retryDestination',
  'reportVideoSupport',
  'startRecording',
  'stopRecording',
  'getStats',
  'getEngineStats',
  'getEncoders',
  'getObsWebSocket',
  'getObsWebSocketPassword',
  'regenerateObsWebSocketPassword',
  'disconnectObsWebSocketClient',
] as const;

export type ApiMethod = (typeof API_METHODS)[number];

export const API_EVENTS = ['state', 'stats'] as const;
export type ApiEvent = (typeof API_EVENTS)[number];

export const IPC_PREFIX = 'tandem:';
export const IPC_EVENT_CHANNEL = 'tandem:event';
export const IPC_MEDIA_CHANNEL = 'tandem:media';
/** Engine → renderer media control (which encodes to run, keyframe and bitrate requests). */
export const IPC_MEDIA_CONTROL_CHANNEL = 'tandem:media-control';
/** Desktop app: the screens and windows to pick from (shell → window), and the choice (window → shell). */
export const IPC_DISPLAY_SOURCES = 'tandem:display-sources';
export const IPC_DISPLAY_CHOICE = 'tandem:display-choice';

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && (API_METHODS as readonly string[]).includes(name);
}
