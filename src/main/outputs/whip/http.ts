// The WHIP HTTP client (RFC 9725) — the only HTTP code of the WHIP output, on global fetch.
//   §4.2  POST offer (application/sdp) → 201 + application/sdp answer + Location (resolved
//         against the final URL after redirects) + optional ETag and Link headers.
//   §4.3  Trickle and ICE restart by PATCH application/trickle-ice-sdpfrag (RFC 8840), If-Match.
//   §4.4  DELETE the session URL to end the session (token, no If-Match).
//   §4.5  Authorization: Bearer on every request when a token is configured, none otherwise.
//   §4.6  Link rel="ice-server"; §4.9 Link rel="urn:ietf:params:whip:ext:..." (unknown: ignored).
//   §4.7  Load balancing: 307/308 followed keeping method, body and token; 503 + Retry-After.
// Errors are typed (src/shared/errors.ts) and name the destination with secrets redacted.
import { AuthError, ConnectError, InputError, ProtocolError, type TandemError, type ErrorCode } from '../../../shared/errors';
import { redactText, redactUrl } from '../../../shared/redact';
import { iceServersFromLinks, parseLinkHeader, whipExtensionsFromLinks, type IceServer } from './link';

export const SDP_TYPE = 'application/sdp';
export const SDPFRAG_TYPE = 'application/trickle-ice-sdpfrag';

export interface WhipHttpOptions {
  url: string;
  /** Bearer token (RFC 9725 §4.5). Never logged: errors carry only the redacted URL. */
  token?: string;
  /** Per-request timeout, ms (default 10 000). */
  timeoutMs?: number;
  /** Redirects followed per request (default 5). */
  maxRedirects?: number;
  /** 503 retries per request (default 3), each waiting Retry-After capped at maxRetryAfterMs. */
  maxRetries?: number;
  /** Longest Retry-After we honour, ms (default 10 000); longer is a ConnectError. */
  maxRetryAfterMs?: number;
}

export interface WhipSessionInfo {
  /** The SDP answer. */
  answer: string;
  /** Absolute session URL (the resolved Location). */
  location: string;
  /** Entity tag of the session for If-Match on trickle PATCH (RFC 9725 §4.3.1), if any. */
  etag?: string;
  iceServers: IceServer[];
  /** rel → URI of WHIP extensions the server announced (RFC 9725 §4.9). */
  extensions: Map<string, string>;
}

export type TrickleResult = 'sent' | 'unsupported';

interface Reply {
  status: number;
  headers: Headers;
  body: string;
  url: string;
}

/** One WHIP session's HTTP side: publish, trickle, restart ICE, delete. */
export class WhipHttpClient {
  readonly target: string;
  private readonly url: string;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;
  private readonly maxRedirects: number;
  private readonly maxRetries: number;
  private readonly maxRetryAfterMs: number;
  private readonly inflight = new Set<AbortController>();
  private closed = false;
  private session: { location: string; etag: string | undefined } | undefined;

  constructor(opts: WhipHttpOptions) {
    this.url = opts.url;
    this.token = opts.token !== undefined && opts.token !== '' ? opts.token : undefined;
    this.target = redactUrl(opts.url);
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.maxRedirects = opts.maxRedirects ?? 5;
    this.maxRetries = opts.maxRetries ?? 3;
    this.maxRetryAfterMs = opts.maxRetryAfterMs ?? 10_000;
  }

  /** Session URL, once the 201 arrived. */
  get location(): string | undefined {
    return this.session?.location;
  }

  get etag(): string | undefined {
    return this.session?.etag;
  }

  /** §4.2: POST the offer. Resolves on 201 with a usable answer; rejects with a TandemError. */
  async publish(offer: string): Promise<WhipSessionInfo> {
    if (this.session) throw new ProtocolError(`WHIP session to ${this.target} already exists`, { target: this.target });
    this.checkUrl();
    const reply = await this.request('POST', this.url, { 'Content-Type': SDP_TYPE }, offer);
    if (reply.status !== 201) {
      const ok = reply.status >= 200 && reply.status < 300;
      const err = this.statusError('publish', reply, ok ? 'expected 201 Created' : undefined);
      const loc = reply.headers.get('location');
      if (ok && loc) {
        // The server may have made a session anyway: end it (§4.4) before reporting.
        this.session = { location: new URL(loc, reply.url).toString(), etag: undefined };
        await this.delete().catch(() => undefined);
      }
      throw err;
    }
    const loc = reply.headers.get('location');
    if (!loc) throw new ProtocolError(`WHIP server ${this.target} answered 201 without a Location header`, this.opt(reply));
    let location: string;
    try {
      location = new URL(loc, reply.url).toString();
    } catch (cause) {
      throw new ProtocolError(`WHIP server ${this.target} sent an invalid Location`, { ...this.opt(reply), cause });
    }
    const etag = reply.headers.get('etag') ?? undefined;
    this.session = { location, etag };
    const type = mediaType(reply.headers.get('content-type'));
    if (type !== SDP_TYPE || !/^v=0\r?\n/.test(reply.body)) {
      const err = new ProtocolError(
        `WHIP server ${this.target} answered 201 without an SDP answer (Content-Type ${type || 'none'})`,
        this.opt(reply),
      );
      await this.delete().catch(() => undefined); // §4.4: the session exists on the server: end it.
      throw err;
    }
    const links = parseLinkHeader(reply.headers.get('link'));
    const info: WhipSessionInfo = {
      answer: reply.body,
      location,
      iceServers: iceServersFromLinks(links),
      extensions: whipExtensionsFromLinks(links),
    };
    if (etag !== undefined) info.etag = etag;
    return info;
  }

  /**
   * §4.3.1 trickle: PATCH an sdpfrag with If-Match: <ETag of the session>. 204 → 'sent';
   * 405/501 → 'unsupported' (the caller keeps candidates in the offer); 412/428 → ProtocolError
   * (stale or missing ETag); anything else judged by class.
   */
  async trickle(fragment: string): Promise<TrickleResult> {
    const s = this.requireSession();
    const headers: Record<string, string> = { 'Content-Type': SDPFRAG_TYPE };
    if (s.etag !== undefined) headers['If-Match'] = s.etag;
    const reply = await this.request('PATCH', s.location, headers, fragment);
    if (reply.status === 204 || reply.status === 200) return 'sent';
    if (reply.status === 405 || reply.status === 501) return 'unsupported';
    if (reply.status === 412 || reply.status === 428) {
      const why = reply.status === 412 ? 'the session ETag is stale' : 'the server requires an ETag';
      throw new ProtocolError(`WHIP trickle to ${this.target} refused: ${why} (${reply.status})`, this.opt(reply));
    }
    throw this.statusError('trickle', reply);
  }

  /**
   * §4.3.2 ICE restart: PATCH new ufrag/pwd (+ candidates) with If-Match: "*". Expects 200 with
   * an sdpfrag and a new ETag, which replaces the old one. On any failure the old session (and
   * its ETag) stays as it was and the error is thrown.
   */
  async restartIce(fragment: string, timeoutMs = this.timeoutMs): Promise<{ fragment: string; etag?: string }> {
    const s = this.requireSession();
    const reply = await this.request('PATCH', s.location, { 'Content-Type': SDPFRAG_TYPE, 'If-Match': '"*"' }, fragment, false, timeoutMs);
    if (reply.status !== 200) {
      throw this.statusError('ICE restart', reply, reply.status >= 200 && reply.status < 300 ? 'expected 200 with an sdpfrag' : undefined);
    }
    if (mediaType(reply.headers.get('content-type')) !== SDPFRAG_TYPE || !/a=ice-ufrag:/.test(reply.body)) {
      throw new ProtocolError(`WHIP ICE restart at ${this.target} got no sdpfrag with ICE credentials`, this.opt(reply));
    }
    const etag = reply.headers.get('etag') ?? undefined;
    this.session = { location: s.location, etag };
    return etag === undefined ? { fragment: reply.body } : { fragment: reply.body, etag };
  }

  /** §4.4: DELETE the session URL (token, no If-Match). No-op without a session; sent once. */
  async delete(): Promise<void> {
    const s = this.session;
    if (!s) return;
    this.session = undefined;
    const reply = await this.request('DELETE', s.location, {}, undefined, true);
    if (reply.status >= 200 && reply.status < 300) return;
    if (reply.status === 404 || reply.status === 405) return; // already gone / not deletable: nothing to undo
    throw this.statusError('DELETE', reply);
  }

  /** Abort every pending request with a ConnectError. Idempotent. Does not DELETE (call delete()). */
  close(): void {
    this.closed = true;
    for (const ac of this.inflight) ac.abort();
    this.inflight.clear();
  }

  /** RFC 9725 §4.1: the endpoint is an http(s) URL; credentials belong in the Bearer token. */
  private checkUrl(): void {
    let u: URL | undefined;
    try {
      u = new URL(this.url);
    } catch {
      u = undefined;
    }
    if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password) {
      const why = u && (u.username || u.password) ? 'must not contain credentials (use the token)' : 'is not an http(s) URL';
      throw new InputError('invalid-url', `WHIP endpoint ${this.target} ${why}`, { target: this.target });
    }
  }

  private requireSession(): { location: string; etag: string | undefined } {
    if (!this.session) throw new ProtocolError(`no WHIP session with ${this.target}`, { target: this.target });
    return this.session;
  }

  private opt(reply: Reply): { target: string; status: string } {
    return { target: this.target, status: String(reply.status) };
  }

  /**
   * fetch with redirect: 'manual' so 307/308 keep method, body and the token (§4.7; fetch would
   * drop Authorization on cross-origin redirects), and 503 + Retry-After honoured (bounded).
   */
  private async request(
    method: string,
    url: string,
    extra: Record<string, string>,
    body: string | undefined,
    ignoreClosed = false,
    timeoutMs = this.timeoutMs,
  ): Promise<Reply> {
    let current = url;
    let redirects = 0;
    let retries = 0;
    for (;;) {
      if (this.closed && !ignoreClosed) throw this.closedError();
      const headers: Record<string, string> = { ...extra };
      if (this.token !== undefined) headers.Authorization = `Bearer ${this.token}`;
      const ac = new AbortController();
      this.inflight.add(ac);
      const timer = setTimeout(() => ac.abort(new Error('timeout')), timeoutMs);
      let res: Response;
      let text: string;
      try {
        const init: RequestInit = { method, headers, redirect: 'manual', signal: ac.signal };
        if (body !== undefined) init.body = body;
        res = await fetch(current, init);
        text = await res.text();
      } catch (cause) {
        if (this.closed && !ignoreClosed) throw this.closedError();
        throw this.networkError(method, cause, ac.signal.reason, timeoutMs);
      } finally {
        clearTimeout(timer);
        this.inflight.delete(ac);
      }
      const reply: Reply = { status: res.status, headers: res.headers, body: text, url: current };
      if (res.status === 307 || res.status === 308) {
        const loc = res.headers.get('location');
        if (!loc) throw new ProtocolError(`WHIP server ${this.target} redirected (${res.status}) without a Location`, this.opt(reply));
        if (++redirects > this.maxRedirects) {
          throw new ProtocolError(`WHIP server ${this.target}: too many redirects`, this.opt(reply));
        }
        current = new URL(loc, current).toString();
        continue;
      }
      if (res.status === 503) {
        const wait = parseRetryAfter(res.headers.get('retry-after'), Date.now());
        if (wait !== undefined && wait <= this.maxRetryAfterMs && retries < this.maxRetries) {
          retries++;
          await this.sleep(wait);
          continue;
        }
      }
      return reply;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const ac = new AbortController();
      this.inflight.add(ac);
      const timer = setTimeout(() => {
        this.inflight.delete(ac);
        resolve();
      }, ms);
      ac.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(this.closedError());
      });
    });
  }

  private closedError(): TandemError {
    return new ConnectError('connection-closed', `WHIP request to ${this.target} cancelled: output closed`, { target: this.target });
  }

  private networkError(method: string, cause: unknown, reason: unknown, timeoutMs: number): TandemError {
    const target = this.target;
    if (reason instanceof Error && reason.message === 'timeout') {
      return new ConnectError('connection-timeout', `WHIP ${method} to ${target} timed out after ${timeoutMs} ms`, { target });
    }
    const code = errnoOf(cause);
    const map: Record<string, [ErrorCode, string]> = {
      ECONNREFUSED: ['connection-refused', 'connection refused'],
      ENOTFOUND: ['dns-failed', 'host not found'],
      EAI_AGAIN: ['dns-failed', 'host lookup failed'],
      ETIMEDOUT: ['connection-timeout', 'connection timed out'],
      ECONNRESET: ['connection-closed', 'connection reset'],
      UND_ERR_SOCKET: ['connection-closed', 'connection closed'],
    };
    const hit = code !== undefined ? map[code] : undefined;
    if (hit) return new ConnectError(hit[0], `WHIP ${method} to ${target} failed: ${hit[1]}`, { target });
    if (code !== undefined && /CERT|SSL|TLS/.test(code)) {
      return new ConnectError('tls-certificate', `WHIP ${method} to ${target} failed: TLS (${code})`, { target });
    }
    return new ConnectError('connection-closed', `WHIP ${method} to ${target} failed${code ? ` (${code})` : ''}`, { target });
  }

  /** Judge a non-success status by its class, with problem+json title/detail (RFC 9457) shown. */
  private statusError(what: string, reply: Reply, note?: string): TandemError {
    const s = reply.status;
    const detail = this.describeBody(reply);
    const tail = `${note ? `: ${note}` : ''}${detail ? ` — ${detail}` : ''}`;
    const opt = this.opt(reply);
    const msg = (text: string): string => `WHIP ${what} to ${this.target} ${text} (HTTP ${s})${tail}`;
    if (s === 401 || s === 403) {
      return new AuthError(msg(s === 401 ? 'was not authorised: check the token' : 'was forbidden: check the token, or the endpoint is busy'), opt);
    }
    if (s === 404) return new ConnectError('not-found', msg('found no such endpoint'), opt);
    if (s === 409) return new AuthError(msg('was refused: stream busy'), { ...opt, code: 'stream-busy' });
    if (s === 429 || s === 503) return new ConnectError('server-unavailable', msg('found the server unavailable'), opt);
    if (s >= 500) return new ConnectError('server-error', msg('failed on the server'), opt);
    if (s >= 400) return new ProtocolError(msg('was rejected'), opt);
    if (s >= 300) return new ProtocolError(msg('got an unexpected redirect'), opt);
    return new ProtocolError(msg('got an unexpected reply'), opt);
  }

  private describeBody(reply: Reply): string {
    const secrets = this.token !== undefined ? [this.token] : [];
    const type = mediaType(reply.headers.get('content-type'));
    if (type === 'application/problem+json' || type === 'application/json') {
      try {
        const p: unknown = JSON.parse(reply.body);
        if (p && typeof p === 'object') {
          const o = p as Record<string, unknown>;
          const parts = [o.title, o.detail].filter((v): v is string => typeof v === 'string' && v.length > 0);
          if (parts.length > 0) return redactText(parts.join(': '), secrets).slice(0, 300);
        }
      } catch {
        /* fall through to text */
      }
    }
    if (type.startsWith('text/') || type.endsWith('json')) {
      const t = reply.body.replace(/\s+/g, ' ').trim();
      if (t && !/^<!doctype|^<html/i.test(t)) return redactText(t, secrets).slice(0, 200);
    }
    return '';
  }
}

/** The media type of a Content-Type value, lower-cased, without parameters. */
export function mediaType(contentType: string | null): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** RFC 9110 §10.2.3 Retry-After: delay-seconds or an HTTP-date. Returns ms, or undefined. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

function errnoOf(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
