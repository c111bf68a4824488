// One client's obs-websocket session: Hello → Identify → Identified, then Reidentify, Request,
// RequestBatch; close codes as protocol.md "Connection steps" / "Connection Notes" and the
// WebSocketCloseCode table give them. Transport-free (send/close are callbacks), so the state
// machine is tested and fuzzed without sockets. Messages are handled one at a time, in order.
import { checkAuthentication } from './auth';
import { decodeMessage, isPlainObject, isUnsigned } from './decode';
import type { ObsEvent } from './events';
import { CloseCode, ExecutionType, Op, OBS_WEBSOCKET_VERSION, RPC_VERSION, Status, SUB_ALL, subscribed } from './protocol';
import type { CloseCodeValue, ExecutionTypeValue, JsonObject, RequestResult } from './protocol';
import type { Outcome } from './requests/table';

export interface SessionOptions {
  /** Set when a password is configured: the server's salt and the derived secret. */
  auth?: { salt: string; secret: string; challenge: string };
  engineVersion: string;
  send(text: string): void;
  close(code: number, reason: string): void;
  execute(requestType: string, requestData: unknown, executionType: ExecutionTypeValue, session: Session): Promise<Outcome>;
  /** False once the engine is shutting down: requests are answered NotReady. */
  ready(): boolean;
  onIdentified?(session: Session): void;
  onAuthFailed?(session: Session): void;
  /** After each message is handled, with the number still queued. */
  onSettled?(pending: number): void;
}

type Id = string | number;
const isId = (v: unknown): v is Id => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

export class Session {
  identified = false;
  closed = false;
  rpcVersion: number | null = null;
  identifiedAt: number | null = null;
  subscriptions = SUB_ALL;
  incomingMessages = 0;
  outgoingMessages = 0;
  private readonly queue: (string | null)[] = [];
  private draining = false;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: SessionOptions) {}

  hello(): void {
    const d: JsonObject = { obsStudioVersion: this.opts.engineVersion, obsWebSocketVersion: OBS_WEBSOCKET_VERSION, rpcVersion: RPC_VERSION };
    const a = this.opts.auth;
    if (a) d.authentication = { challenge: a.challenge, salt: a.salt };
    this.send(Op.Hello, d);
  }

  /** A frame from the client: text, or null for a binary frame. Queued behind earlier ones. */
  receive(text: string | null): void {
    this.queue.push(text);
    if (!this.draining) void this.drain();
  }

  /** Resolves once the queue has drained (tests and shutdown). */
  idle(): Promise<void> {
    return this.draining ? new Promise((resolve) => this.idleWaiters.push(resolve)) : Promise.resolve();
  }

  /**
   * One loop works through the queue. (Not a promise chain per message: V8 walks such chains to
   * build each Error's async stack, which made every failure cost time in the queue's length.)
   */
  private async drain(): Promise<void> {
    this.draining = true;
    while (this.queue.length > 0) {
      const text = this.queue.shift() ?? null;
      try {
        if (text === null) this.fail(CloseCode.MessageDecodeError, 'Binary frames are not accepted: this server speaks obswebsocket.json.');
        else await this.handle(text);
      } catch {
        this.fail(CloseCode.UnknownReason, 'Internal error.');
      }
      this.opts.onSettled?.(this.queue.length);
    }
    this.draining = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  event(e: ObsEvent, text: string): void {
    if (!this.identified || this.closed || !subscribed(this.subscriptions, e.eventIntent)) return;
    this.outgoingMessages++;
    this.opts.send(text);
  }

  fail(code: CloseCodeValue, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.opts.close(code, reason);
  }

  private send(op: number, d: object): void {
    if (this.closed) return;
    this.outgoingMessages++;
    this.opts.send(JSON.stringify({ op, d }));
  }

  private async handle(text: string): Promise<void> {
    if (this.closed) return;
    this.incomingMessages++;
    const m = decodeMessage(text, this.identified);
    if (!m.ok) return this.fail(m.code, m.reason);
    if (!this.identified && m.op !== Op.Identify) return this.fail(CloseCode.NotIdentified, 'You attempted to send a non-Identify message while not identified.');
    switch (m.op) {
      case Op.Identify:
        return this.identify(m.d);
      case Op.Reidentify:
        if (!this.setParameters(m.d)) return;
        return this.send(Op.Identified, { negotiatedRpcVersion: RPC_VERSION });
      case Op.Request:
        return this.request(m.d);
      case Op.RequestBatch:
        return this.batch(m.d);
      default:
        return this.fail(CloseCode.UnknownOpCode, `Unknown OpCode: ${m.op}`);
    }
  }

  private identify(d: Record<string, unknown>): void {
    if (this.identified) return this.fail(CloseCode.AlreadyIdentified, 'You are already Identified with the obs-websocket server.');
    const a = this.opts.auth;
    if (a) {
      const given = d.authentication;
      const ok = typeof given === 'string' && checkAuthentication(a.secret, a.challenge, given);
      if (!ok) {
        this.opts.onAuthFailed?.(this);
        return this.fail(CloseCode.AuthenticationFailed, typeof given === 'string' ? 'Authentication failed.' : 'Your payload is missing an `authentication` string, however authentication is required.');
      }
    }
    if (d.rpcVersion === undefined || d.rpcVersion === null) return this.fail(CloseCode.MissingDataField, "Your payload's data is missing an `rpcVersion`.");
    if (!isUnsigned(d.rpcVersion)) return this.fail(CloseCode.InvalidDataFieldType, 'Your `rpcVersion` is not an unsigned number.');
    if (d.rpcVersion !== RPC_VERSION) return this.fail(CloseCode.UnsupportedRpcVersion, 'Your requested RPC version is not supported by this server.');
    if (!this.setParameters(d)) return;
    this.identified = true;
    this.rpcVersion = RPC_VERSION;
    this.identifiedAt = Date.now();
    this.opts.onIdentified?.(this);
    this.send(Op.Identified, { negotiatedRpcVersion: RPC_VERSION });
  }

  /** Reidentify's fields (and Identify's): only eventSubscriptions may change. */
  private setParameters(d: Record<string, unknown>): boolean {
    const subs = d.eventSubscriptions;
    if (subs === undefined || subs === null) return true;
    if (!isUnsigned(subs)) {
      this.fail(CloseCode.InvalidDataFieldType, 'Your `eventSubscriptions` is not an unsigned number.');
      return false;
    }
    this.subscriptions = subs;
    return true;
  }

  private async run(requestType: string, requestData: unknown, exec: ExecutionTypeValue): Promise<Outcome> {
    if (!this.opts.ready()) return { code: Status.NotReady, comment: 'The engine is not ready to perform the request.' };
    return this.opts.execute(requestType, requestData, exec, this);
  }

  private async request(d: Record<string, unknown>): Promise<void> {
    if (!('requestId' in d)) return this.fail(CloseCode.MissingDataField, 'Your payload data is missing a `requestId`.');
    if (!isId(d.requestId)) return this.fail(CloseCode.InvalidDataFieldType, 'Your `requestId` is not a string.');
    if (!('requestType' in d)) return this.fail(CloseCode.MissingDataField, "Your payload's data is missing an `requestType`.");
    if (typeof d.requestType !== 'string') return this.fail(CloseCode.InvalidDataFieldType, 'Your `requestType` is not a string.');
    const outcome = await this.run(d.requestType, d.requestData, ExecutionType.None);
    this.send(Op.RequestResponse, resultJson(d.requestType, d.requestId, outcome));
  }

  private async batch(d: Record<string, unknown>): Promise<void> {
    if (!('requestId' in d)) return this.fail(CloseCode.MissingDataField, 'Your payload data is missing a `requestId`.');
    if (!isId(d.requestId)) return this.fail(CloseCode.InvalidDataFieldType, 'Your `requestId` is not a string.');
    let exec: ExecutionTypeValue = ExecutionType.SerialRealtime;
    if (d.executionType !== undefined && d.executionType !== null) {
      if (!isUnsigned(d.executionType)) return this.fail(CloseCode.InvalidDataFieldType, 'Your `executionType` is not a number.');
      if (d.executionType === ExecutionType.SerialFrame) {
        return this.fail(CloseCode.UnsupportedFeature, 'SerialFrame batches are not supported: the engine does not own the render clock.');
      }
      if (d.executionType !== ExecutionType.SerialRealtime && d.executionType !== ExecutionType.Parallel) {
        return this.fail(CloseCode.InvalidDataFieldValue, 'Your `executionType` has an invalid value.');
      }
      exec = d.executionType;
    }
    const hasVariables = d.variables !== undefined && d.variables !== null;
    if (hasVariables && !isPlainObject(d.variables)) return this.fail(CloseCode.InvalidDataFieldType, 'Your `variables` is not an object.');
    if (hasVariables && exec === ExecutionType.Parallel) return this.fail(CloseCode.UnsupportedFeature, 'Variables are not supported in Parallel mode.');
    let halt = false;
    if (d.haltOnFailure !== undefined && d.haltOnFailure !== null) {
      if (typeof d.haltOnFailure !== 'boolean') return this.fail(CloseCode.InvalidDataFieldType, 'Your `haltOnFailure` is not a boolean.');
      halt = d.haltOnFailure;
    }
    if (!('requests' in d)) return this.fail(CloseCode.MissingDataField, 'Your payload data is missing a `requests`.');
    if (!Array.isArray(d.requests)) return this.fail(CloseCode.InvalidDataFieldType, 'Your `requests` is not an array.');
    const requests: unknown[] = d.requests;
    const variables: Record<string, unknown> = isPlainObject(d.variables) ? { ...d.variables } : {};
    let results: RequestResult[];
    if (exec === ExecutionType.Parallel) {
      // Parallel runs everything and ignores haltOnFailure (obs-websocket does the same).
      results = await Promise.all(requests.map((r) => this.batchEntry(r, exec, undefined)));
    } else {
      results = [];
      for (const r of requests) {
        const res = await this.batchEntry(r, exec, variables);
        results.push(res);
        if (this.closed) return;
        if (halt && !res.requestStatus.result) break;
      }
    }
    this.send(Op.RequestBatchResponse, { requestId: d.requestId, results });
  }

  private async batchEntry(r: unknown, exec: ExecutionTypeValue, variables: Record<string, unknown> | undefined): Promise<RequestResult> {
    if (!isPlainObject(r)) return resultJson('', undefined, { code: Status.MissingRequestType, comment: 'Each entry of `requests` must be an object.' });
    const type = typeof r.requestType === 'string' ? r.requestType : '';
    let data = r.requestData;
    // Batch variables (protocol.md "RequestBatch"): inputVariables {field: variable} fill
    // requestData before the request; outputVariables {variable: responseField} read its result.
    if (variables && isPlainObject(r.inputVariables)) {
      const filled: Record<string, unknown> = isPlainObject(data) ? { ...data } : {};
      for (const [field, name] of Object.entries(r.inputVariables)) {
        if (typeof name === 'string' && Object.hasOwn(variables, name)) put(filled, field, variables[name]);
      }
      data = filled;
    }
    const outcome = await this.run(type, data, exec);
    if (variables && isPlainObject(r.outputVariables) && outcome.data) {
      for (const [name, field] of Object.entries(r.outputVariables)) {
        if (typeof field === 'string' && Object.hasOwn(outcome.data, field)) put(variables, name, outcome.data[field]);
      }
    }
    return resultJson(type, isId(r.requestId) ? r.requestId : undefined, outcome);
  }
}

/** Sets an own property, even one named __proto__ (which plain assignment would treat as the prototype). */
function put(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

function resultJson(requestType: string, requestId: Id | undefined, o: Outcome): RequestResult {
  const res: RequestResult = { requestType, requestStatus: { result: o.code === Status.Success, code: o.code } };
  if (requestId !== undefined) res.requestId = requestId;
  if (o.comment !== undefined) res.requestStatus.comment = o.comment;
  if (o.data !== undefined) res.responseData = o.data;
  return res;
}
