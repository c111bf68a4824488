// The request table: requestType → handler. A handler reads its fields through `Fields` (which
// throws the right RequestStatus), does at most one engine call, and returns responseData.
// `runRequest` turns whatever happens into a RequestStatus; nothing a client sends can throw
// past it. A request type that is not in the table is UnknownRequestType (204).
import { TandemError } from '../../../../shared/errors';
import { Fields, RequestError } from '../fields';
import type { ItemIds, ObsEngine } from '../model';
import type { ProgramPictures } from '../../../studio/program-picture';
import { Status, type ExecutionTypeValue, type JsonObject, type StatusCode } from '../protocol';

export interface SessionInfo {
  incomingMessages: number;
  outgoingMessages: number;
}

export interface RequestContext {
  engine: ObsEngine;
  ids: ItemIds;
  /** ExecutionType.None outside a batch (Sleep needs to know). */
  executionType: ExecutionTypeValue;
  session: SessionInfo;
  /** Every request type this server answers (GetVersion's availableRequests). */
  requestTypes: readonly string[];
  /** Sends an event to every identified client subscribed to `intent`. */
  broadcast(eventType: string, intent: number, data: JsonObject): void;
  engineVersion: string;
  /** The program picture for GetSourceScreenshot; without it no image format is supported. */
  pictures?: ProgramPictures | undefined;
}

export type Handler = (f: Fields, ctx: RequestContext) => Promise<JsonObject | undefined> | JsonObject | undefined;
export type RequestTable = Readonly<Record<string, Handler>>;

export interface Outcome {
  code: StatusCode;
  comment?: string;
  data?: JsonObject;
}

/** How an engine error reads as a RequestStatus. Engine messages are user-facing and secret-free. */
export function statusOfError(err: unknown): Outcome {
  if (err instanceof RequestError) return err.comment === undefined ? { code: err.code } : { code: err.code, comment: err.comment };
  if (err instanceof TandemError) {
    const code: StatusCode =
      err.code === 'not-found'
        ? Status.ResourceNotFound
        : err.code === 'invalid-state'
          ? Status.InvalidResourceState
          : err.code.startsWith('invalid-')
            ? Status.InvalidRequestField
            : Status.RequestProcessingFailed;
    return { code, comment: err.message.slice(0, 500) };
  }
  return { code: Status.RequestProcessingFailed, comment: 'Processing the request failed unexpectedly.' };
}

export async function runRequest(table: RequestTable, requestType: string, requestData: unknown, ctx: RequestContext): Promise<Outcome> {
  if (requestData !== undefined && requestData !== null && (typeof requestData !== 'object' || Array.isArray(requestData))) {
    return { code: Status.InvalidRequestFieldType, comment: 'Your request data is not an object.' };
  }
  if (requestType.length === 0) return { code: Status.MissingRequestType, comment: "Your request's `requestType` may not be empty." };
  const handler = Object.hasOwn(table, requestType) ? table[requestType] : undefined;
  if (!handler) return { code: Status.UnknownRequestType, comment: 'Your request type is not valid.' };
  try {
    const data = await handler(new Fields(requestData), ctx);
    return data === undefined ? { code: Status.Success } : { code: Status.Success, data };
  } catch (err) {
    return statusOfError(err);
  }
}

/** Plain engine data (destinations, stats) as JSON. They are JSON-safe by construction. */
export function asJson<T extends object>(v: T): JsonObject {
  return v as unknown as JsonObject;
}
