// The obs-websocket 5 compatible endpoint (issue 15). See server.ts for what it listens on and
// who may connect, requests/index.ts for what it answers, events.ts for what it sends.
export { startObsWebSocket, DEFAULT_PORT, MAX_MESSAGE_BYTES } from './server';
export type { ObsClientInfo, ObsWebSocketOptions, ObsWebSocketServer } from './server';
export { ObsWebSocketService } from './service';
export type { ObsWebSocketConfig, ObsWebSocketStatus } from './service';
export type { ObsEngine } from './model';
export { REQUEST_TYPES } from './requests';
export { ObsWebSocketController, connectUrls } from './controller';
