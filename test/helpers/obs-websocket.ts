// Clients for the obs-websocket endpoint tests: obs-websocket-js (the reference client, JSON
// flavour) with every frame it receives recorded, and a raw `ws` client for protocol violations.
import WebSocket from 'ws';
import { spawnSync } from 'node:child_process';
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

export async function startRig(opts: ObsWebSocketOptions = {}, studio = new Studio({ mode: 'headless' })): Promise<Rig> {
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

export interface DecodedImage {
  codec: string;
  width: number;
  height: number;
  /** RGB24, row by row. */
  rgb: Uint8Array;
}

/** Decodes a data: URL image the way a client would show it (ffprobe + ffmpeg read the bytes). */
export function decodeDataUrl(url: string): DecodedImage {
  const m = /^data:(image\/[a-z]+);base64,([A-Za-z0-9+/=]+)$/.exec(url);
  if (!m?.[2]) throw new Error(`not a base64 image data URL: ${url.slice(0, 40)}`);
  const bytes = Buffer.from(m[2], 'base64');
  const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', '-i', 'pipe:0'], { input: bytes });
  const info = (JSON.parse(probe.stdout.toString() || '{}') as { streams?: { codec_name: string; width: number; height: number }[] }).streams?.[0];
  if (!info) throw new Error(`ffprobe could not read the image: ${probe.stderr.toString().slice(-300)}`);
  const raw = spawnSync('ffmpeg', ['-v', 'error', '-i', 'pipe:0', '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { input: bytes, maxBuffer: 256 << 20 });
  if (raw.status !== 0 || raw.stdout.length !== info.width * info.height * 3) throw new Error(`ffmpeg could not decode the image: ${raw.stderr.toString().slice(-300)}`);
  return { codec: info.codec_name, width: info.width, height: info.height, rgb: new Uint8Array(raw.stdout) };
}

/** Mean RGB of a decoded image. */
export function meanRgb(img: DecodedImage): [number, number, number] {
  const sum = [0, 0, 0];
  for (let i = 0; i < img.rgb.length; i += 3) for (let c = 0; c < 3; c++) sum[c] = (sum[c] ?? 0) + (img.rgb[i + c] ?? 0);
  const n = img.rgb.length / 3;
  return [Math.round((sum[0] ?? 0) / n), Math.round((sum[1] ?? 0) / n), Math.round((sum[2] ?? 0) / n)];
}
