// The error taxonomy (docs/ARCHITECTURE.md "UI text"). Every failure a user can see is one of these,
// with a stable code; src/shared/i18n/errors.ts turns codes into English and 简体中文 text in one place.

import type { FieldIssue } from './validation';

export type ErrorCode =
  // input
  | 'invalid-url'
  | 'invalid-key'
  | 'invalid-argument'
  | 'invalid-file'
  // connection
  | 'dns-failed'
  | 'connection-refused'
  | 'connection-timeout'
  | 'connection-closed'
  | 'tls-failed'
  | 'tls-certificate'
  // server verdicts
  | 'auth-rejected'
  | 'stream-busy'
  | 'server-error'
  | 'server-unavailable'
  | 'protocol-violation'
  // state
  | 'invalid-state'
  | 'not-found'
  | 'encoder-failed'
  | 'ffmpeg-missing'
  | 'internal';

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  /** Which destination (redacted URL or display name) this is about, if any. */
  target?: string;
  /** HTTP status or RTMP status code the server returned, if any. */
  status?: string;
  /** invalid-argument: what is wrong with which field, by key (src/shared/validation.ts). */
  fields?: FieldIssue[];
}

export class TandemError extends Error {
  readonly code: ErrorCode;
  readonly target: string | undefined;
  readonly status: string | undefined;
  readonly fields: FieldIssue[] | undefined;
  constructor(code: ErrorCode, message: string, opts: { target?: string; status?: string; cause?: unknown; fields?: FieldIssue[] } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.target = opts.target;
    this.status = opts.status;
    this.fields = opts.fields;
  }
  toInfo(): ErrorInfo {
    const info: ErrorInfo = { code: this.code, message: this.message };
    if (this.target !== undefined) info.target = this.target;
    if (this.status !== undefined) info.status = this.status;
    if (this.fields !== undefined) info.fields = this.fields;
    return info;
  }
}

/** Malformed bytes, SDP, AMF, or a server reply that breaks the protocol. */
export class ProtocolError extends TandemError {
  constructor(message: string, opts: { target?: string; status?: string; cause?: unknown; code?: ErrorCode } = {}) {
    super(opts.code ?? 'protocol-violation', message, opts);
  }
}

/** Could not reach or keep a connection: DNS, refused, timeout, TLS, dropped. */
export class ConnectError extends TandemError {}

/** The server understood us and said no: bad key, bad token, forbidden, stream busy. */
export class AuthError extends TandemError {
  constructor(message: string, opts: { target?: string; status?: string; cause?: unknown; code?: ErrorCode } = {}) {
    super(opts.code ?? 'auth-rejected', message, opts);
  }
}

/** A call that is not valid in the current state (write before start, start twice, closed). */
export class InvalidStateError extends TandemError {
  constructor(message: string, opts: { target?: string; cause?: unknown } = {}) {
    super('invalid-state', message, opts);
  }
}

/** Bad user input: URL, key, settings, file. */
export class InputError extends TandemError {}

export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof TandemError) return err.toInfo();
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message };
}
