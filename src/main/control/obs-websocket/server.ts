// The obs-websocket 5 endpoint: a WebSocket server (port 4455 by default) that speaks the
// protocol in protocol.md over JSON text frames and maps it onto the Studio, so Stream Deck,
// Companion and Streamer.bot work unchanged. Off unless the engine starts it (service.ts).
//
// Who may connect: loopback only unless `lan` (which requires a password). A browser page is
// told 403 unless its Origin is listed (native tools send no Origin). Wrong passwords are
// throttled per address (auth.ts). Messages are limited in size (maxPayload) and nesting depth
// (decode.ts), handled in order per client, and the socket is paused while a client's queue is
// long. The password is never kept: only the secret derived from it and the salt.
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { InputError } from '../../../shared/errors';
import { AuthThrottle, deriveSecret, newChallenge, newSalt, type ThrottleOptions } from './auth';
import { diffState, exitStarted, type ObsEvent } from './events';
import { itemIdsFor, type ObsEngine } from './model';
import { CLOSE_GOING_AWAY, CLOSE_POLICY, CloseCode, Op, type JsonObject } from './protocol';
import { REQUESTS, REQUEST_TYPES } from './requests';
import { runRequest } from './requests/table';
import { Session } from './session';
import type { ProgramPictures } from '../../studio/program-picture';

export const DEFAULT_PORT = 4455;
export const MAX_MESSAGE_BYTES = 1 << 20;
/** A client whose queue reaches HIGH is paused until it drains to LOW. */
const QUEUE_HIGH = 64;
const QUEUE_LOW = 8;
/** A client that does not read its answers is dropped past this much unsent data. */
const MAX_BUFFERED_BYTES = 16 << 20;
const MAX_CLIENTS = 128;
const MAX_UNIDENTIFIED_PER_ADDRESS = 16;

export interface ObsWebSocketOptions {
  port?: number;
  /** Listen on every interface instead of 127.0.0.1. Requires a password. */
  lan?: boolean;
  /** Clients must authenticate when set (non-empty). */
  password?: string;
  /** Browser page origins allowed to connect (exact match, e.g. 'http://localhost:8000'). */
  allowedOrigins?: readonly string[];
  /** How long a client has to Identify after its Hello, ms (default 30 s). */
  identifyTimeoutMs?: number;
  throttle?: ThrottleOptions;
  /** Called whenever a client connects, identifies or leaves (for the Settings UI). */
  onClientsChanged?: (clients: ObsClientInfo[]) => void;
  /** The program picture, for GetSourceScreenshot (studio/program-picture.ts). */
  pictures?: ProgramPictures;
}

export interface ObsClientInfo {
  id: string;
  address: string;
  port: number;
  connectedAt: number;
  /** When it identified (epoch ms); null while it has not. */
  identifiedAt: number | null;
  rpcVersion: number | null;
  eventSubscriptions: number;
  incomingMessages: number;
  outgoingMessages: number;
}

export interface ObsWebSocketServer {
  readonly port: number;
  readonly host: string;
  readonly authRequired: boolean;
  clients(): ObsClientInfo[];
  /** Ends one client's session with SessionInvalidated (it must not reconnect on its own). */
  kick(id: string): boolean;
  /** Stops the server. `exiting` first sends ExitStarted (the engine is shutting down). */
  close(opts?: { exiting?: boolean }): Promise<void>;
}

interface Client {
  id: string;
  ws: WebSocket;
  session: Session;
  address: string;
  port: number;
  connectedAt: number;
  timers: ReturnType<typeof setTimeout>[];
}

const normalizeAddress = (a: string | undefined): string => (a ?? 'unknown').replace(/^::ffff:/, '');
const utf8Cut = (s: string, max = 123): string => {
  let out = s;
  while (Buffer.byteLength(out) > max) out = out.slice(0, -1);
  return out;
};

export async function startObsWebSocket(engine: ObsEngine, opts: ObsWebSocketOptions = {}): Promise<ObsWebSocketServer> {
  const password = opts.password ?? '';
  if (opts.lan && password.length === 0) throw new InputError('invalid-argument', 'a password is required when the obs-websocket server listens on the network');
  const host = opts.lan ? '0.0.0.0' : '127.0.0.1';
  const salt = newSalt();
  const secret = password.length > 0 ? deriveSecret(password, salt) : undefined;
  const throttle = new AuthThrottle(opts.throttle);
  const allowedOrigins = new Set((opts.allowedOrigins ?? []).map((o) => o.toLowerCase()));
  const identifyTimeout = opts.identifyTimeoutMs ?? 30_000;
  const listenPort = opts.port ?? DEFAULT_PORT;
  // Closures below use these copies, never `opts`, so the password is not kept alive with them.
  const onClientsChanged = opts.onClientsChanged;
  const pictures = opts.pictures;
  const ids = itemIdsFor(engine);
  const clients = new Map<string, Client>();
  let ready = true;
  let prev = engine.getState();
  ids.prime(prev.sceneDoc);
  const engineVersion = prev.engine.version;

  const info = (c: Client): ObsClientInfo => ({
    id: c.id,
    address: c.address,
    port: c.port,
    connectedAt: c.connectedAt,
    identifiedAt: c.session.identifiedAt,
    rpcVersion: c.session.rpcVersion,
    eventSubscriptions: c.session.subscriptions,
    incomingMessages: c.session.incomingMessages,
    outgoingMessages: c.session.outgoingMessages,
  });
  const list = (): ObsClientInfo[] => [...clients.values()].map(info);
  const changed = (): void => onClientsChanged?.(list());

  const broadcast = (e: ObsEvent): void => {
    const text = JSON.stringify({ op: Op.Event, d: e });
    for (const c of clients.values()) c.session.event(e, text);
  };

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
    handleProtocols: (offered: Set<string>) => (offered.has('obswebsocket.json') ? 'obswebsocket.json' : offered.has('obswebsocket.msgpack') ? 'obswebsocket.msgpack' : false),
  });
  const server = createServer((_req, res) => {
    res.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket' });
    res.end('obs-websocket: connect with a WebSocket client');
  });

  const refuse = (socket: Duplex, status: number, reason: string): void => {
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins.has(origin.toLowerCase())) return refuse(socket, 403, 'Forbidden');
    const address = normalizeAddress(req.socket.remoteAddress);
    if (clients.size >= MAX_CLIENTS) return refuse(socket, 503, 'Service Unavailable');
    const waiting = [...clients.values()].filter((c) => c.address === address && !c.session.identified).length;
    if (waiting >= MAX_UNIDENTIFIED_PER_ADDRESS) return refuse(socket, 429, 'Too Many Requests');
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, req, address));
  });

  const onConnection = (ws: WebSocket, req: IncomingMessage, address: string): void => {
    if (ws.protocol === 'obswebsocket.msgpack') {
      ws.close(CloseCode.UnsupportedFeature, 'MessagePack is not supported: connect with obswebsocket.json');
      return;
    }
    let queued = 0;
    const client: Client = {
      id: randomUUID(),
      ws,
      address,
      port: req.socket.remotePort ?? 0,
      connectedAt: Date.now(),
      timers: [],
      session: new Session({
        ...(secret ? { auth: { salt, secret, challenge: newChallenge() } } : {}),
        engineVersion,
        send: (text) => {
          if (ws.readyState !== ws.OPEN) return;
          if (ws.bufferedAmount > MAX_BUFFERED_BYTES) ws.terminate();
          else ws.send(text);
        },
        close: (code, reason) => ws.close(code, utf8Cut(reason)),
        execute: (requestType, requestData, executionType, session) =>
          runRequest(REQUESTS, requestType, requestData, {
            engine,
            ids,
            executionType,
            session,
            requestTypes: REQUEST_TYPES,
            engineVersion,
            pictures,
            broadcast: (eventType: string, eventIntent: number, eventData: JsonObject) => broadcast({ eventType, eventIntent, eventData }),
          }),
        ready: () => ready,
        onIdentified: () => {
          if (secret) throttle.succeeded(address);
          changed();
        },
        onAuthFailed: () => throttle.failed(address),
        onSettled: (pending) => {
          queued = pending;
          if (queued <= QUEUE_LOW && ws.isPaused) ws.resume();
        },
      }),
    };
    clients.set(client.id, client);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      client.session.receive(isBinary ? null : buf.toString('utf8'));
      if (++queued >= QUEUE_HIGH && !ws.isPaused) ws.pause();
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      for (const t of client.timers) clearTimeout(t);
      client.session.closed = true;
      clients.delete(client.id);
      changed();
    });
    const delay = secret ? throttle.reserve(address) : 0;
    const hello = () => client.session.hello();
    if (delay > 0) client.timers.push(setTimeout(hello, delay));
    else hello();
    client.timers.push(
      setTimeout(() => {
        if (client.session.identified || client.session.closed) return;
        // No protocol code fits; RFC 6455 §7.4.1's 1008 is "policy violation".
        client.session.closed = true;
        ws.close(CLOSE_POLICY, 'You did not Identify in time.');
      }, delay + identifyTimeout),
    );
    changed();
  };

  const offState = engine.on('state', (s) => {
    const events = diffState(prev, s, ids);
    prev = s;
    for (const e of events) broadcast(e);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' ? new InputError('invalid-argument', `port ${listenPort} is already in use`) : err);
    });
    server.listen(listenPort, host, () => resolve());
  });
  server.on('error', () => undefined);
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : 0;

  let closing: Promise<void> | undefined;
  return {
    port,
    host,
    authRequired: secret !== undefined,
    clients: list,
    kick(id) {
      const c = clients.get(id);
      if (!c) return false;
      c.session.fail(CloseCode.SessionInvalidated, 'Your session has been invalidated.');
      return true;
    },
    close({ exiting = false } = {}) {
      closing ??= (async () => {
        offState();
        if (exiting) broadcast(exitStarted());
        ready = false;
        const gone = [...clients.values()].map((c) => new Promise<void>((resolve) => c.ws.once('close', () => resolve())));
        for (const c of clients.values()) {
          c.session.closed = true;
          c.ws.close(CLOSE_GOING_AWAY, 'Server stopping.');
        }
        await Promise.race([Promise.all(gone), new Promise((r) => setTimeout(r, 1000).unref())]);
        for (const c of clients.values()) c.ws.terminate();
        wss.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closing;
    },
  };
}
