// obs-websocket 5.x wire constants and message shapes. Every number here is from the published
// protocol, obsproject/obs-websocket docs/generated/protocol.md (read at commit 032c9933,
// obs-websocket 5.7.3): "Message Types (OpCodes)" and "Enums". No I/O.

/** rpcVersion 1 is the only version the protocol has published ("Identifier Value" of every enum). */
export const RPC_VERSION = 1;

/**
 * The feature level our field names follow: scene/input UUID fields (sceneUuid, inputUuid) were
 * added in 5.5.0. Clients use this as a soft hint only; GetVersion's availableRequests is the truth.
 */
export const OBS_WEBSOCKET_VERSION = '5.5.0';

/** WebSocketOpCode. */
export const Op = {
  Hello: 0,
  Identify: 1,
  Identified: 2,
  Reidentify: 3,
  Event: 5,
  Request: 6,
  RequestResponse: 7,
  RequestBatch: 8,
  RequestBatchResponse: 9,
} as const;

/** WebSocketCloseCode (protocol.md "WebSocketCloseCode"; note there is no 4001). */
export const CloseCode = {
  UnknownReason: 4000,
  MessageDecodeError: 4002,
  MissingDataField: 4003,
  InvalidDataFieldType: 4004,
  InvalidDataFieldValue: 4005,
  UnknownOpCode: 4006,
  NotIdentified: 4007,
  AlreadyIdentified: 4008,
  AuthenticationFailed: 4009,
  UnsupportedRpcVersion: 4010,
  SessionInvalidated: 4011,
  UnsupportedFeature: 4012,
} as const;
export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];

/** RFC 6455 §7.4.1: the endpoint is going away (server shutting down). */
export const CLOSE_GOING_AWAY = 1001;
/** RFC 6455 §7.4.1: policy violation (here: no Identify in time). */
export const CLOSE_POLICY = 1008;

/** RequestStatus. */
export const Status = {
  Success: 100,
  MissingRequestType: 203,
  UnknownRequestType: 204,
  GenericError: 205,
  UnsupportedRequestBatchExecutionType: 206,
  NotReady: 207,
  MissingRequestField: 300,
  MissingRequestData: 301,
  InvalidRequestField: 400,
  InvalidRequestFieldType: 401,
  RequestFieldOutOfRange: 402,
  RequestFieldEmpty: 403,
  TooManyRequestFields: 404,
  OutputRunning: 500,
  OutputNotRunning: 501,
  OutputPaused: 502,
  OutputNotPaused: 503,
  OutputDisabled: 504,
  StudioModeActive: 505,
  StudioModeNotActive: 506,
  ResourceNotFound: 600,
  ResourceAlreadyExists: 601,
  InvalidResourceType: 602,
  NotEnoughResources: 603,
  InvalidResourceState: 604,
  InvalidInputKind: 605,
  ResourceNotConfigurable: 606,
  InvalidFilterKind: 607,
  ResourceCreationFailed: 700,
  ResourceActionFailed: 701,
  RequestProcessingFailed: 702,
  CannotAct: 703,
} as const;
export type StatusCode = (typeof Status)[keyof typeof Status];

/** RequestBatchExecutionType (None, -1, is "not a batch"). */
export const ExecutionType = { None: -1, SerialRealtime: 0, SerialFrame: 1, Parallel: 2 } as const;
export type ExecutionTypeValue = (typeof ExecutionType)[keyof typeof ExecutionType];

/** EventSubscription bits. */
export const Sub = {
  None: 0,
  General: 1 << 0,
  Config: 1 << 1,
  Scenes: 1 << 2,
  Inputs: 1 << 3,
  Transitions: 1 << 4,
  Filters: 1 << 5,
  Outputs: 1 << 6,
  SceneItems: 1 << 7,
  MediaInputs: 1 << 8,
  Vendors: 1 << 9,
  Ui: 1 << 10,
  Canvases: 1 << 11,
  // high volume: only when asked for explicitly
  InputVolumeMeters: 1 << 16,
  InputActiveStateChanged: 1 << 17,
  InputShowStateChanged: 1 << 18,
  SceneItemTransformChanged: 1 << 19,
} as const;

/** EventSubscription::All: every non-high-volume category; the default when Identify omits it. */
export const SUB_ALL =
  Sub.General | Sub.Config | Sub.Scenes | Sub.Inputs | Sub.Transitions | Sub.Filters | Sub.Outputs | Sub.SceneItems | Sub.MediaInputs | Sub.Vendors | Sub.Ui | Sub.Canvases;

/** Whether a subscription mask includes an event's intent (a single bit). */
export function subscribed(mask: number, intent: number): boolean {
  return (mask & intent) !== 0;
}

/** ObsOutputState strings, as StreamStateChanged / RecordStateChanged carry them. */
export type ObsOutputState =
  | 'OBS_WEBSOCKET_OUTPUT_STARTING'
  | 'OBS_WEBSOCKET_OUTPUT_STARTED'
  | 'OBS_WEBSOCKET_OUTPUT_STOPPING'
  | 'OBS_WEBSOCKET_OUTPUT_STOPPED'
  | 'OBS_WEBSOCKET_OUTPUT_RECONNECTING'
  | 'OBS_WEBSOCKET_OUTPUT_RECONNECTED';

/** outputActive as obs-websocket derives it from the state (EventHandler_Outputs). */
export function outputStateActive(s: ObsOutputState): boolean {
  return s === 'OBS_WEBSOCKET_OUTPUT_STARTED' || s === 'OBS_WEBSOCKET_OUTPUT_RECONNECTED';
}

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface RequestStatusObject {
  result: boolean;
  code: number;
  comment?: string;
}

/** One answered request, as RequestResponse's `d` and each RequestBatchResponse result carry it. */
export interface RequestResult {
  requestType: string;
  requestId?: string | number;
  requestStatus: RequestStatusObject;
  responseData?: JsonObject;
}

export interface ServerMessage {
  op: number;
  d: JsonObject;
}

/** HH:MM:SS.mmm, the outputTimecode format. */
export function timecode(ms: number): string {
  const t = Math.max(0, Math.floor(ms));
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(Math.floor(t / 3_600_000))}:${p(Math.floor(t / 60_000) % 60)}:${p(Math.floor(t / 1000) % 60)}.${p(t % 1000, 3)}`;
}
