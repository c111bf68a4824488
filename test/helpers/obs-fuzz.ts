// The obs-websocket fuzz: seeded generators of malformed, mistyped or oversized messages, and a
// runner. Messages the protocol answers with a status are pipelined on a few identified
// connections; those it answers by closing get a connection each. Every one must get its answer
// (a RequestStatus code, or the close code the protocol gives). Used by the unit fuzz (a bare
// engine) and the e2e one (the built `tandem serve`, live on RTMP).
import WebSocket from 'ws';
import { createHash } from 'node:crypto';
import { REQUEST_TYPES } from '../../src/main/control/obs-websocket';
import { prng } from './prng';
import { Status } from '../../src/main/control/obs-websocket/protocol';

/** A seeded PRNG (test/helpers/prng.ts) with integer and pick helpers, so a failure can be replayed. */
export function rng(seed: number) {
  const next = prng(seed);
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T };
}
type Rng = ReturnType<typeof rng>;

const FIELDS = [
  'sceneName', 'sceneUuid', 'sceneItemId', 'sceneItemEnabled', 'sceneItemLocked', 'sceneItemTransform', 'positionX', 'boundsWidth', 'rotation', 'scaleX', 'cropLeft',
  'inputName', 'inputUuid', 'inputKind', 'inputMuted', 'inputVolumeMul', 'inputVolumeDb', 'inputAudioSyncOffset', 'studioModeEnabled', 'imageFormat', 'imageWidth',
  'vendorName', 'requestType', 'requestData', 'transitionName', 'transitionDuration', 'eventData', 'sourceName', 'sourceUuid', 'searchOffset', 'destinationId', 'destinationName', '__proto__', 'constructor',
];
/** Request types to fuzz with: every known one but `excluded`, plus unknown and hostile names. */
export function fuzzTypes(excluded: readonly string[]): string[] {
  return [...REQUEST_TYPES.filter((t) => !excluded.includes(t)), '', 'X', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'StartVirtualCam', 'ß'.repeat(300)];
}
export const STATUS_CODES: ReadonlySet<number> = new Set<number>(Object.values(Status));

function junk(r: Rng, depth = 0): unknown {
  switch (r.int(depth > 3 ? 6 : 10)) {
    case 0: return null;
    case 1: return r.next() < 0.5;
    case 2: return r.pick([0, -1, 1, 2 ** 53, -(2 ** 60), 1e308, 0.5, 4455, 999999]);
    case 3: return r.pick(['', 'Main', 'Be right back', 'scene-main', 'tandem', 'Cut', 'Fade', 'Title', 'png', 'jpg', '\u0000', '\ud800', '🎬']);
    case 4: return r.int(2000) === 0 ? 'x'.repeat(50_000 + r.int(150_000)) : 'y'.repeat(r.int(200));
    case 5: return String(r.next());
    case 6: return Array.from({ length: r.int(4) }, () => junk(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = r.int(4); i > 0; i--) Object.defineProperty(o, r.pick(FIELDS), { value: junk(r, depth + 1), enumerable: true, configurable: true, writable: true });
      return o;
    }
  }
}

/** A message the server must answer without closing: [text, how the answer is matched]. */
export function sessionMessage(r: Rng, id: string, types: readonly string[]): { text: string; op: 2 | 7 | 9 } {
  const roll = r.int(20);
  if (roll === 0) return { text: JSON.stringify({ op: 3, d: { eventSubscriptions: r.int(1 << 20) } }), op: 2 };
  if (roll < 4) {
    const requests = Array.from({ length: r.int(8) }, () => (r.int(6) === 0 ? junk(r) : { requestType: r.next() < 0.8 ? r.pick(types) : junk(r), requestData: junk(r), requestId: junk(r) }));
    return { text: JSON.stringify({ op: 8, d: { requestId: id, requests, haltOnFailure: r.next() < 0.5, executionType: r.pick([0, 2, null]) } }), op: 9 };
  }
  const d: Record<string, unknown> = { requestId: id, requestType: r.pick(types) };
  if (r.next() < 0.9) d.requestData = junk(r);
  return { text: JSON.stringify({ op: 6, d }), op: 7 };
}

/** A message the server must answer by closing, and the code. identify: send Identify first. */
export function closingMessage(r: Rng, i: number): { data: string | Buffer; binary?: boolean; identify?: boolean; code: number } {
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  switch (i % 16) {
    case 0: return { data: JSON.stringify(junk(r)).slice(0, -1) + '}{', code: 4002 };
    case 1: return { data: Buffer.from(Array.from({ length: 1 + r.int(64) }, () => r.int(256))), binary: true, code: 4002 };
    case 2: return { data: r.pick(['1', '"x"', 'null', 'true', '[]', '[{"op":1,"d":{}}]']), code: 4002 };
    case 3: return { data: `{"op":1,"d":{"a":${deep(33 + r.int(20_000))}}}`, code: 4002 };
    case 4: return { data: JSON.stringify({ d: junk(r) }), code: 4006 };
    case 5: return { data: JSON.stringify({ op: r.pick(['1', true, [1], 1.5, {}]), d: {} }), code: 4006 };
    case 6: return { data: JSON.stringify({ op: 1, d: r.pick([null, undefined]) }), code: 4003 };
    case 7: return { data: JSON.stringify({ op: 1, d: r.pick([1, 'd', [], true]) }), code: 4004 };
    case 8: return { data: JSON.stringify({ op: r.pick([0, 2, 3, 4, 5, 6, 7, 8, 9, 10, -1, 2 ** 40]), d: {} }), code: 4007 };
    case 9: return { data: JSON.stringify({ op: 1, d: { rpcVersion: r.pick(['1', -1, 1.5, [], {}, true]) } }), code: 4004 };
    case 10: return { data: JSON.stringify({ op: 1, d: { rpcVersion: r.pick([0, 2, 5, 2 ** 40]) } }), code: 4010 };
    case 11: return { data: JSON.stringify({ 'request-type': 'GetVersion', 'message-id': String(i) }), code: 4010 };
    case 12: return { data: JSON.stringify({ op: r.pick([4, 7, 10, 99]), d: {} }), identify: true, code: 4006 };
    case 13: return { data: JSON.stringify({ op: 8, d: { requestId: 'b', requests: [], executionType: r.pick([3, 4, 100]) } }), identify: true, code: 4005 };
    case 14: return { data: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), code: 1007 }; // invalid UTF-8 in a text frame
    default: return i % 200 === 15 ? { data: 'z'.repeat((1 << 20) + 10), code: 1009 } : { data: JSON.stringify({ op: 1, d: { rpcVersion: 1 } }), identify: true, code: 4008 };
  }
}

/** Opens a client; `onMessage` is attached first (Hello can arrive in the same tick as 'open'). */
export function openFuzzClient(url: string, onMessage?: (ws: WebSocket, data: string) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    // An all-zero masking key lets ws skip the XOR on our side; the server still unmasks.
    const ws = new WebSocket(url, ['obswebsocket.json'], { generateMask: (mask: Buffer) => void mask.fill(0) });
    if (onMessage) ws.on('message', (data) => onMessage(ws, String(data)));
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

export interface FuzzOptions {
  total: number;
  /** How many of `total` are messages answered by a close (one connection each). */
  closing: number;
  seed: number;
  /** Request types left out (those that would legitimately stop what the test watches). */
  excluded: readonly string[];
  sessionConnections?: number;
  /** In flight per session connection. */
  window?: number;
  /** Closing connections opened at a time. */
  closeWorkers?: number;
  /** The server's password: every Identify then carries the right authentication string. */
  auth?: string;
  /** Sees every text frame received. */
  onMessage?: (text: string) => void;
}

const sha256b64 = (s: string) => createHash('sha256').update(s).digest('base64');

/** protocol.md "Creating an authentication string", computed from the Hello as a client does. */
function authFor(password: string | undefined, hello: string): string | undefined {
  if (password === undefined) return undefined;
  const a = (JSON.parse(hello) as { d?: { authentication?: { challenge: string; salt: string } } }).d?.authentication;
  return a ? sha256b64(sha256b64(password + a.salt) + a.challenge) : undefined;
}

/** Adds the authentication to an Identify (op 1 with an object d), leaving anything else as is. */
function withAuth(data: string | Buffer, authentication: string | undefined): string | Buffer {
  if (authentication === undefined || typeof data !== 'string') return data;
  let msg: unknown;
  try {
    msg = JSON.parse(data);
  } catch {
    return data;
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return data;
  const m = msg as { op?: unknown; d?: unknown };
  if (m.op !== 1 || typeof m.d !== 'object' || m.d === null || Array.isArray(m.d)) return data;
  try {
    return JSON.stringify({ ...m, d: { ...m.d, authentication } });
  } catch {
    return data; // nested too deep to write back: the server refuses it before authentication anyway
  }
}

export interface FuzzResult {
  /** Messages answered in-session (RequestResponse, RequestBatchResponse or Identified). */
  answered: number;
  /** Close codes seen, by code. */
  closeCounts: Map<number, number>;
  /** Request status codes seen, by code. */
  statusCounts: Map<number, number>;
  /** Anything that was not the answer the protocol gives. */
  problems: string[];
  /** Bytes sent in sessions. */
  bytes: number;
}

export async function runFuzz(url: string, o: FuzzOptions): Promise<FuzzResult> {
  const types = fuzzTypes(o.excluded);
  const sessions = o.sessionConnections ?? 4;
  const window = o.window ?? 200;
  const perConn = Math.floor((o.total - o.closing) / sessions);
  const res: FuzzResult = { answered: 0, closeCounts: new Map(), statusCounts: new Map(), problems: [], bytes: 0 };
  const sessionRun = async (k: number): Promise<void> => {
    const r = rng(o.seed * 100 + k); // one generator per connection: replayable whatever the interleaving
    const pending = new Map<string, number>();
    let identifiedAcks = 0;
    let reidentifies = 0;
    let sent = 0;
    let done: () => void = () => undefined;
    const conn: { ws?: WebSocket } = {}; // set once open; pump() runs from its message handler
    const pump = () => {
      const ws = conn.ws;
      if (!ws || identifiedAcks === 0) return;
      while (sent < perConn && pending.size + reidentifies - (identifiedAcks - 1) < window) {
        const id = `${k}-${sent}`;
        const m = sessionMessage(r, id, types);
        if (m.op === 2) reidentifies++;
        else pending.set(id, m.op);
        ws.send(m.text);
        res.bytes += m.text.length;
        sent++;
      }
      if (sent === perConn && pending.size === 0 && identifiedAcks - 1 === reidentifies) done();
    };
    const ws = await openFuzzClient(url, (sock, text) => {
      o.onMessage?.(text);
      const msg = JSON.parse(text) as { op: number; d: { requestId?: string; requestStatus?: { code: number }; results?: { requestStatus: { code: number } }[] } };
      if (msg.op === 0) {
        const authentication = authFor(o.auth, text);
        return sock.send(JSON.stringify({ op: 1, d: { rpcVersion: 1, eventSubscriptions: 0, ...(authentication === undefined ? {} : { authentication }) } }));
      }
      if (msg.op === 2) identifiedAcks++;
      if (msg.op === 7 || msg.op === 9) {
        const id = String(msg.d.requestId);
        if (pending.get(id) !== msg.op) res.problems.push(`unexpected answer ${msg.op} to ${id}`);
        pending.delete(id);
        res.answered++;
        const codes = msg.op === 7 ? [msg.d.requestStatus?.code ?? -1] : (msg.d.results ?? []).map((x) => x.requestStatus.code);
        for (const c of codes) {
          if (!STATUS_CODES.has(c)) res.problems.push(`unknown status ${c}`);
          res.statusCounts.set(c, (res.statusCounts.get(c) ?? 0) + 1);
        }
      }
      pump();
    });
    conn.ws = ws;
    await new Promise<void>((resolve, reject) => {
      done = resolve;
      pump();
      ws.on('close', (code) => reject(new Error(`session ${k} closed with ${code} after ${sent} messages`)));
    });
    if (identifiedAcks - 1 !== reidentifies) res.problems.push(`session ${k}: ${identifiedAcks - 1} Identified for ${reidentifies} Reidentify`);
    res.answered += reidentifies;
    ws.removeAllListeners('close');
    ws.close();
  };

  let next = 0;
  const closeWorker = async (): Promise<void> => {
    while (next < o.closing) {
      const i = next++;
      const m = closingMessage(rng(o.seed * 1_000_000 + i), i);
      let identified: () => void = () => undefined;
      const ready = new Promise<void>((r) => (identified = r));
      let authentication: string | undefined;
      let helloed: () => void = () => undefined;
      const hello = new Promise<void>((r) => (helloed = r));
      const ws = await openFuzzClient(url, (sock, text) => {
        o.onMessage?.(text);
        const op = (JSON.parse(text) as { op: number }).op;
        if (op === 0) {
          authentication = authFor(o.auth, text);
          helloed();
          if (m.identify) sock.send(withAuth(JSON.stringify({ op: 1, d: { rpcVersion: 1 } }), authentication));
        }
        if (op === 2) identified();
      });
      const closed = new Promise<number>((r) => ws.once('close', (c) => r(c)));
      ws.on('error', () => undefined);
      if (m.identify) await ready;
      else if (o.auth !== undefined) await hello; // the challenge, for an Identify among the messages
      ws.send(withAuth(m.data, authentication), { binary: m.binary ?? false });
      const got = await closed;
      if (got !== m.code) res.problems.push(`closing message ${i} (kind ${i % 16}): close ${got}, expected ${m.code}`);
      res.closeCounts.set(got, (res.closeCounts.get(got) ?? 0) + 1);
    }
  };
  await Promise.all([...Array.from({ length: sessions }, (_, k) => sessionRun(k)), ...Array.from({ length: o.closeWorkers ?? 8 }, closeWorker)]);
  return res;
}

export function formatCounts(m: Map<number, number>): string {
  return [...m].sort((a, b) => a[0] - b[0]).map(([c, n]) => `${c}×${n}`).join(' ');
}
