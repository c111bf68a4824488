// Who may talk to the local engine. Browser mode binds 127.0.0.1 only, and every request must
// carry the per-run token and come from our own origin (docs/ARCHITECTURE.md "Processes and transports", Security).
// Host is checked against DNS rebinding; Origin against other web pages on this machine.
import { timingSafeEqual, randomBytes } from 'node:crypto';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

export type Verdict = { ok: true } | { ok: false; status: 400 | 401 | 403 | 421; reason: string };

export interface GuardInput {
  host: string | undefined;
  origin: string | undefined;
  token: string | null | undefined;
}

/**
 * Host must name this server on loopback. Origin, when present (browsers always send it on a
 * WebSocket), must be this server's own. The token is required for the API.
 */
export function checkRequest(port: number, expectedToken: string, req: GuardInput, needToken: boolean): Verdict {
  const hosts = allowedHosts(port);
  if (!req.host || !hosts.has(req.host.toLowerCase())) {
    return { ok: false, status: 421, reason: 'unexpected Host header' };
  }
  if (req.origin !== undefined) {
    const origins = new Set([...hosts].map((h) => `http://${h}`));
    if (!origins.has(req.origin.toLowerCase())) return { ok: false, status: 403, reason: 'foreign Origin' };
  }
  if (needToken && !tokenMatches(expectedToken, req.token)) {
    return { ok: false, status: 401, reason: 'missing or wrong token' };
  }
  return { ok: true };
}
