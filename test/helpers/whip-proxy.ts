// An HTTP proxy of our own in front of a WHIP server (simple-whip-server), for the fault tests:
//
// - it counts what reaches the server (POST offers, PATCHes, DELETEs, with time and status), so a
//   test sees connection attempts without reading anyone's logs;
// - when the upstream is down it resets the client's connection, as the dead server would;
// - with `media`, it steers the ICE path through a UDP relay (relay.ts): candidates are stripped
//   from the client's SDP (offers and ICE-restart fragments, RFC 8840), and the server's answer
//   candidates are replaced by one host candidate on the relay's public port, whose target becomes
//   the server's first UDP host candidate. The server then learns the client only as the relay's
//   peer-reflexive address (RFC 8445 §7.3.1.3), so every media packet crosses the relay.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { UdpRelay } from './relay';

export interface ProxiedRequest {
  method: string;
  path: string;
  at: number;
  /** HTTP status from the server; 0 when the server could not be reached (client reset). */
  status: number;
  /** SDP / sdpfrag bodies as forwarded (after the rewriting), for diagnosis. */
  sent?: string;
  received?: string;
}

export interface WhipProxy {
  /** http://127.0.0.1:PORT — the same paths as the server (e.g. /whip/endpoint/ID). */
  readonly origin: string;
  readonly requests: ProxiedRequest[];
  /** The WHIP POSTs (offers) seen so far, optionally only those since `since` (Date.now()). */
  posts(since?: number): ProxiedRequest[];
  /** `url` (an endpoint URL on the server) as seen through this proxy. */
  via(url: string): string;
  close(): Promise<void>;
}

const SDP_TYPES = /^application\/(sdp|trickle-ice-sdpfrag)\b/i;
const CANDIDATE = /^a=candidate:\S+ \d+ udp \d+ (\S+) (\d+) typ host.*$/gim;

/** Remove every candidate (and end-of-candidates) line from an SDP or sdpfrag. */
function stripCandidates(sdp: string): string {
  return sdp
    .split(/\r\n/)
    .filter((l) => !/^a=(candidate|end-of-candidates)/.test(l))
    .join('\r\n');
}

/** Point every candidate of the server's SDP at the relay; aim the relay at the server's first one. */
function relayCandidates(sdp: string, relay: UdpRelay): string {
  const first = [...sdp.matchAll(CANDIDATE)][0];
  if (!first?.[1] || !first[2]) return sdp;
  relay.setTarget({ host: first[1], port: Number(first[2]) });
  const lines = sdp.split(/\r\n/);
  const out: string[] = [];
  const placed = new Set<string>();
  let section = '';
  for (const l of lines) {
    if (l.startsWith('m=')) section = l;
    if (/^a=candidate:/.test(l)) {
      // one relayed candidate per media section (all are bundled on one transport anyway)
      if (!placed.has(section)) out.push(`a=candidate:1 1 udp 2130706431 127.0.0.1 ${relay.port} typ host`);
      placed.add(section);
      continue;
    }
    out.push(l);
  }
  return out.join('\r\n');
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const FORWARD_REQUEST = ['content-type', 'authorization', 'if-match', 'accept'];
const FORWARD_RESPONSE = ['content-type', 'location', 'etag', 'link', 'retry-after', 'accept-patch'];

export async function startWhipProxy(opts: { target: string; media?: UdpRelay }): Promise<WhipProxy> {
  const target = new URL(opts.target).origin;
  const requests: ProxiedRequest[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const entry: ProxiedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', at: Date.now(), status: 0 };
    requests.push(entry);
    let body = await readBody(req);
    const headers: Record<string, string> = {};
    for (const h of FORWARD_REQUEST) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    if (opts.media && SDP_TYPES.test(headers['content-type'] ?? '')) body = Buffer.from(stripCandidates(body.toString('utf8')));
    if (SDP_TYPES.test(headers['content-type'] ?? '')) entry.sent = body.toString('utf8');
    let upstream: Response;
    let text: string;
    try {
      const init: RequestInit = { method: entry.method, headers, redirect: 'manual' };
      if (body.length > 0) init.body = body;
      upstream = await fetch(`${target}${entry.path}`, init);
      text = await upstream.text();
    } catch {
      req.socket.destroy(); // the server is gone: so is the client's connection
      return;
    }
    entry.status = upstream.status;
    const type = upstream.headers.get('content-type') ?? '';
    if (opts.media && SDP_TYPES.test(type)) text = relayCandidates(text, opts.media);
    if (SDP_TYPES.test(type)) entry.received = text;
    const out: Record<string, string> = {};
    for (const h of FORWARD_RESPONSE) {
      const v = upstream.headers.get(h);
      if (v !== null) out[h] = v;
    }
    res.writeHead(upstream.status, out);
    res.end(text);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = addr && typeof addr === 'object' ? addr.port : 0;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    requests,
    posts: (since = 0) => requests.filter((r) => r.method === 'POST' && r.at >= since && /\/endpoint\//.test(r.path)),
    via: (url) => {
      const u = new URL(url);
      return `${origin}${u.pathname}${u.search}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
