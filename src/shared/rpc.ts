// The wire format shared by both transports, and the pieces either side needs:
// a dispatcher (engine side: validates, calls, converts errors) and a client (UI side).
import { z } from 'zod';
import { apiContract, type StudioApi, type StudioApiImpl } from './api';
import { API_METHODS, isApiMethod, type ApiEvent, type ApiMethod } from './methods';
import { TandemError, toErrorInfo, type ErrorInfo } from './errors';
import { fieldIssues, type FieldIssue } from './validation';

export const RequestSchema = z.object({
  type: z.literal('req'),
  id: z.number().int().nonnegative(),
  method: z.string(),
  params: z.unknown().optional(),
});
export type RpcRequest = z.infer<typeof RequestSchema>;

export type RpcOutcome = { ok: true; result: unknown } | { ok: false; error: ErrorInfo };
export type RpcResponse = { type: 'res'; id: number } & RpcOutcome;
export interface RpcEvent {
  type: 'evt';
  event: ApiEvent;
  data: unknown;
}

export type Dispatch = (method: string, params: unknown) => Promise<RpcOutcome>;

function formatZodError(err: z.ZodError): string {
  return err.issues
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/** Engine side: validate the method and its params, call the implementation, never throw. */
export function createDispatcher(impl: StudioApiImpl): Dispatch {
  return async (method, params) => {
    if (!isApiMethod(method)) {
      return { ok: false, error: { code: 'not-found', message: `unknown method '${String(method).slice(0, 64)}'` } };
    }
    const parsed = apiContract[method].params.safeParse(params);
    if (!parsed.success) {
      return { ok: false, error: { code: 'invalid-argument', message: `${method}: ${formatZodError(parsed.error)}`, fields: fieldIssues(parsed.error) } };
    }
    try {
      const fn = impl[method] as (p: unknown) => unknown;
      const result = await fn.call(impl, parsed.data);
      return { ok: true, result: result === undefined ? null : result };
    } catch (err) {
      return { ok: false, error: toErrorInfo(err) };
    }
  };
}

/** The error a client sees when the engine answered with a failure. */
export class ApiError extends TandemError {
  constructor(info: ErrorInfo) {
    const opts: { target?: string; status?: string; fields?: FieldIssue[] } = {};
    if (info.target !== undefined) opts.target = info.target;
    if (info.status !== undefined) opts.status = info.status;
    if (Array.isArray(info.fields)) opts.fields = info.fields;
    super(info.code, info.message, opts);
  }
}

export interface ClientTransport {
  call(method: ApiMethod, params: unknown): Promise<RpcOutcome>;
}

/** UI side: one typed async function per method, results validated against the contract. */
export function createApiClient(transport: ClientTransport): StudioApi {
  const api: Partial<Record<ApiMethod, (params?: unknown) => Promise<unknown>>> = {};
  for (const method of API_METHODS) {
    api[method] = async (params?: unknown) => {
      const outcome = await transport.call(method, params);
      if (!outcome.ok) throw new ApiError(outcome.error);
      const parsed = apiContract[method].result.safeParse(outcome.result);
      if (!parsed.success) {
        throw new ApiError({ code: 'protocol-violation', message: `${method}: malformed reply: ${formatZodError(parsed.error)}` });
      }
      return parsed.data;
    };
  }
  return api as StudioApi;
}
