// The local control server: serves the built studio UI and carries the StudioApi over a
// WebSocket at /api, for browser mode, remote control and tests. The only HTTP server import.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import type { ApiEventSource, ApiEvents } from '../../shared/api';
import { RequestSchema, type Dispatch, type RpcEvent, type RpcResponse } from '../../shared/rpc';
import { decodeMedia, type MediaEndpoint } from '../../shared/media-wire';
import { ProtocolError } from '../../shared/errors';
import { checkRequest, newToken } from './guard';
import { handleMediaFiles } from './media-files';

export type EventSource = ApiEventSource;

export interface ControlServerOptions {
  dispatch: Dispatch;
  events: EventSource;
  /** Folder with the built renderer (index.html). Without it only the API is served. */
  staticDir?: string;
  /** Where uploaded media files are kept (media-files.ts); without it there are no uploads. */
  mediaDir?: string;
  /** Where the renderer's media goes (binary messages on /media; control messages back as text). */
  media?: MediaEndpoint;
  port?: number;
  token?: string;
}

export interface ControlServer {
  readonly port: number;
  readonly token: string;
  /** The URL to open in a browser, token included. */
  readonly url: string;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
const MAX_MESSAGE = 1 << 20;
/** A 4K I420 frame is 12.4 MB; the media channel takes up to 16 MB per message. */
const MAX_MEDIA_MESSAGE = 16 << 20;

export async function startControlServer(opts: ControlServerOptions): Promise<ControlServer> {
  const token = opts.token ?? newToken();
  /** API sockets get the API's events; media sockets never do. */
  const sockets = new Set<WebSocket>();
  const mediaSockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE });
  const mediaWss = new WebSocketServer({ noServer: true, maxPayload: MAX_MEDIA_MESSAGE });
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (opts.mediaDir && (u.pathname === '/media-files' || u.pathname.startsWith('/media-files/'))) {
      // Uploads and playback of media files need the token like the API (a <video> sends no Origin).
      const verdict = checkRequest(port(), token, { host: req.headers.host, origin: req.headers.origin, token: u.searchParams.get('token') }, true);
      if (!verdict.ok) return send(res, verdict.status, verdict.reason);
      void handleMediaFiles(req, res, u, opts.mediaDir).catch(() => {
        if (!res.headersSent) send(res, 500, 'the media file could not be stored');
        else res.destroy();
      });
      return;
    }
    void serveStatic(req, res, port(), opts.staticDir);
  });

  const port = (): number => {
    const a = server.address();
    return typeof a === 'object' && a ? a.port : 0;
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const known = u.pathname === '/api' || (u.pathname === '/media' && opts.media !== undefined);
    const verdict = known
      ? checkRequest(port(), token, { host: req.headers.host, origin: req.headers.origin, token: u.searchParams.get('token') }, true)
      : ({ ok: false, status: 400, reason: 'no such endpoint' } as const);
    if (!verdict.ok) {
      socket.end(`HTTP/1.1 ${verdict.status} ${verdict.reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    if (u.pathname === '/media') mediaWss.handleUpgrade(req, socket, head, (ws) => onMediaConnection(ws));
    else wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  });

  const onConnection = (ws: WebSocket): void => {
    sockets.add(ws);
    ws.on('message', (raw: RawData) => void onMessage(ws, raw));
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => ws.terminate());
  };

  const onMediaConnection = (ws: WebSocket): void => {
    const media = opts.media;
    if (!media) return void ws.close(1008, 'no media here');
    mediaSockets.add(ws);
    let problem: string | undefined;
    const channel = media.attachMediaChannel((m) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
    });
    const refuse = (reason: string): void => {
      problem ??= reason;
      ws.close(1007, reason.slice(0, 120));
    };
    ws.on('message', (raw: RawData, isBinary: boolean) => {
      if (problem) return;
      const buf = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw as ArrayBuffer);
      const msg = isBinary ? decodeMedia(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)) : new ProtocolError('media channel: text where media was expected');
      if (msg instanceof ProtocolError) return refuse(msg.message);
      const reason = channel.push(msg);
      if (reason) refuse(reason);
    });
    ws.on('close', (code: number) => {
      mediaSockets.delete(ws);
      channel.closed(problem ?? (code === 1009 ? `a media message over the ${MAX_MEDIA_MESSAGE >> 20} MB limit` : undefined));
    });
    ws.on('error', (e: Error & { code?: string }) => {
      if (e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') problem ??= `a media message over the ${MAX_MEDIA_MESSAGE >> 20} MB limit`;
      ws.terminate();
    });
  };

  const onMessage = async (ws: WebSocket, raw: RawData): Promise<void> => {
    let msg: unknown;
    try {
      msg = JSON.parse(raw.toString());
    } catch {
      ws.close(1007, 'malformed JSON');
      return;
    }
    const req = RequestSchema.safeParse(msg);
    if (!req.success) {
      ws.close(1007, 'malformed request');
      return;
    }
    const outcome = await opts.dispatch(req.data.method, req.data.params);
    const res: RpcResponse = { type: 'res', id: req.data.id, ...outcome };
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(res));
  };

  const broadcast = (event: keyof ApiEvents, data: unknown): void => {
    const msg: RpcEvent = { type: 'evt', event, data };
    const text = JSON.stringify(msg);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  };
  const offs = [
    opts.events.on('state', (s) => broadcast('state', s)),
    opts.events.on('stats', (s) => broadcast('stats', s)),
  ];

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });

  let closing: Promise<void> | undefined;
  const p = port();
  return {
    port: p,
    token,
    url: `http://127.0.0.1:${p}/?token=${token}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const off of offs) off();
        for (const ws of sockets) ws.terminate();
        for (const ws of mediaSockets) ws.terminate();
        wss.close();
        mediaWss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}

async function serveStatic(req: IncomingMessage, res: ServerResponse, port: number, dir: string | undefined): Promise<void> {
  const verdict = checkRequest(port, '', { host: req.headers.host, origin: undefined, token: undefined }, false);
  if (!verdict.ok) return send(res, verdict.status, verdict.reason);
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
  if (!dir) return send(res, 404, 'no UI is served here');
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  const rel = path === '/' ? 'index.html' : path.slice(1);
  const file = normalize(join(dir, rel));
  if (!file.startsWith(normalize(dir) + sep)) return send(res, 403, 'forbidden');
  try {
    const st = await stat(file);
    if (!st.isFile()) return send(res, 404, 'not found');
    const body = await readFile(file);
    res.writeHead(200, {
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch {
    send(res, 404, 'not found');
  }
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}
