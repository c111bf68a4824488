// Clients for the obs-websocket endpoint tests: obs-websocket-js (the reference client, JSON
// flavour) with every frame it receives recorded, and a raw `ws` client for protocol violations.
import WebSocket from 'ws';
import { OBSWebSocket } from 'obs-websocket-js/json';
import { Studio } from '../../src/main/studio/studio';
import { startObsWebSocket, type ObsWebSocketOptions, type ObsWebSocketServer } from '../../src/main/control/obs-websocket';

/** Every text frame any tapped client received, for the "no secret on the wire" scan. */
export const wire: string[] = [];

export class TappedOBS extends OBSWebSocket {
  protected override async decodeMessage(data: string): Promise<never> {
    wire.push(String(data));
    return (await super.decodeMessage(data)) as never;
  }

  /** call() for request types obs-websocket-js's typings do not know (or that do not exist). */
  callAny(requestType: string, requestData?: object): Promise<Record<string, unknown> | undefined> {
    const call = this.call as unknown as (t: string, d?: object) => Promise<Record<string, unknown> | undefined>;
    return call.call(this, requestType, requestData);
  }

  batchAny(requests: object[], options: object = {}): Promise<BatchResult[]> {
    const batch = this.callBatch as unknown as (r: object[], o: object) => Promise<BatchResult[]>;
    return batch.call(this, requests, options);
  }
}

export interface BatchResult {
  requestType: string;
  requestId?: string;
  requestStatus: { result: boolean; code: number; comment?: string };
  responseData?: Record<string, unknown>;
}

export interface Rig {
  studio: Studio;
  server: ObsWebSocketServer;
  url: string;
  close(): Promise<void>;
}

export async function startRig(opts: ObsWebSocketOptions = {}): Promise<Rig> {
  const studio = new Studio({ mode: 'headless' });
  const server = await startObsWebSocket(studio, { port: 0, ...opts });
  return {
    studio,
    server,
    url: `ws://127.0.0.1:${server.port}`,
    async close() {
      await server.close();
      await studio.close();
    },
  };
}

export interface RawClient {
  ws: WebSocket;
  /** Parsed messages received so far. */
  received: { op: number; d: Record<string, unknown> }[];
  /** Resolves with the next message of this op (or any op). */
  next(op?: number): Promise<{ op: number; d: Record<string, unknown> }>;
  closed: Promise<{ code: number; reason: string }>;
  send(msg: object | string): void;
}

/** A bare WebSocket client: opens, collects frames, reports the close code. */
export function rawClient(url: string, opts: { protocols?: string[]; origin?: string } = {}): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, opts.protocols ?? ['obswebsocket.json'], opts.origin ? { origin: opts.origin } : {});
    type Msg = RawClient['received'][number];
    const received: Msg[] = [];
    const taken = new Set<number>();
    const waiters: { op: number | undefined; resolve: (m: Msg) => void }[] = [];
    const take = (op: number | undefined): Msg | undefined => {
      const i = received.findIndex((m, j) => !taken.has(j) && (op === undefined || m.op === op));
      if (i < 0) return undefined;
      taken.add(i);
      return received[i];
    };
    ws.on('message', (data) => {
      const text = String(data);
      wire.push(text);
      received.push(JSON.parse(text) as Msg);
      for (const w of [...waiters]) {
        const m = take(w.op);
        if (!m) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    });
    const closed = new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', (err) => reject(err));
    ws.on('open', () =>
      resolve({
        ws,
        received,
        closed,
        next(op) {
          const m = take(op);
          return m ? Promise.resolve(m) : new Promise((r) => waiters.push({ op, resolve: r }));
        },
        send(msg) {
          ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
        },
      }),
    );
  });
}

/** Opens a raw client and identifies without a password (the server must have none). */
export async function identifiedRaw(url: string, eventSubscriptions?: number): Promise<RawClient> {
  const c = await rawClient(url);
  await c.next(0);
  c.send({ op: 1, d: eventSubscriptions === undefined ? { rpcVersion: 1 } : { rpcVersion: 1, eventSubscriptions } });
  await c.next(2);
  return c;
}
