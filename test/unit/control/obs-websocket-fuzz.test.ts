// 100 000 malformed, mistyped or oversized messages at the obs-websocket endpoint. Those the
// protocol answers with a status reuse four identified connections (pipelined); those it answers
// by closing get a connection each. Every one must get its answer (a RequestStatus code, or the
// close code the protocol gives), and afterwards a healthy client still connects and is served.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TappedOBS, startRig, type Rig } from '../../helpers/obs-websocket';
import { REQUEST_TYPES } from '../../../src/main/control/obs-websocket';
import { Status } from '../../../src/main/control/obs-websocket/protocol';

const TOTAL = 100_000;
const CLOSING = 1_000; // one connection each
const SESSION_CONNECTIONS = 4;
const WINDOW = 200; // in flight per connection

/** mulberry32: a small seeded PRNG, so a failure can be replayed. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T };
}
type Rng = ReturnType<typeof rng>;

const FIELDS = ['sceneName', 'sceneUuid', 'sceneItemId', 'sceneItemEnabled', 'sceneItemLocked', 'inputName', 'inputKind', 'vendorName', 'requestType', 'requestData', 'transitionName', 'transitionDuration', 'eventData', 'sourceName', 'searchOffset', 'destinationId', 'destinationName', '__proto__', 'constructor'];
// Types that would start ffmpeg, write files or sleep are left out; everything else is fair game.
const TYPES = [...REQUEST_TYPES.filter((t) => !['StartRecord', 'ToggleRecord', 'Sleep'].includes(t)), '', 'X', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'GetInputMute', 'ß'.repeat(300)];
const STATUS_CODES = new Set<number>(Object.values(Status));

function junk(r: Rng, depth = 0): unknown {
  switch (r.int(depth > 3 ? 6 : 10)) {
    case 0: return null;
    case 1: return r.next() < 0.5;
    case 2: return r.pick([0, -1, 1, 2 ** 53, -(2 ** 60), 1e308, 0.5, 4455, 999999]);
    case 3: return r.pick(['', 'Main', 'Be right back', 'scene-main', 'tandem', 'Cut', 'Fade', '\u0000', '\ud800', '🎬']);
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
function sessionMessage(r: Rng, id: string): { text: string; op: 2 | 7 | 9 } {
  const roll = r.int(20);
  if (roll === 0) return { text: JSON.stringify({ op: 3, d: { eventSubscriptions: r.int(1 << 20) } }), op: 2 };
  if (roll < 4) {
    const requests = Array.from({ length: r.int(8) }, () => (r.int(6) === 0 ? junk(r) : { requestType: r.next() < 0.8 ? r.pick(TYPES) : junk(r), requestData: junk(r), requestId: junk(r) }));
    return { text: JSON.stringify({ op: 8, d: { requestId: id, requests, haltOnFailure: r.next() < 0.5, executionType: r.pick([0, 2, null]) } }), op: 9 };
  }
  const d: Record<string, unknown> = { requestId: id, requestType: r.pick(TYPES) };
  if (r.next() < 0.9) d.requestData = junk(r);
  return { text: JSON.stringify({ op: 6, d }), op: 7 };
}

/** A message the server must answer by closing, and the code. identify: send Identify first. */
function closingMessage(r: Rng, i: number): { data: string | Buffer; binary?: boolean; identify?: boolean; code: number } {
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
function open(url: string, onMessage?: (ws: WebSocket, data: string) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    // An all-zero masking key lets ws skip the XOR on our side; the server still unmasks.
    const ws = new WebSocket(url, ['obswebsocket.json'], { generateMask: (mask: Buffer) => void mask.fill(0) });
    if (onMessage) ws.on('message', (data) => onMessage(ws, String(data)));
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig.close();
});

describe('obs-websocket fuzz', () => {
  it(`${TOTAL} malformed or oversized messages: each answered, the server stays up`, async () => {
    const t0 = performance.now();
    const seed = 15;

    // Status-level: pipelined on identified sessions.
    const perConn = (TOTAL - CLOSING) / SESSION_CONNECTIONS;
    const statusCounts = new Map<number, number>();
    let bytes = 0;
    let answered = 0;
    const sessionRun = async (k: number): Promise<void> => {
      const r = rng(seed * 100 + k); // one generator per connection: replayable whatever the interleaving
      const pending = new Map<string, number>();
      let identifiedAcks = 0;
      let reidentifies = 0;
      let sent = 0;
      let done: () => void = () => undefined;
      const conn: { ws?: WebSocket } = {}; // set once open; pump() runs from its message handler
      const pump = () => {
        const ws = conn.ws;
        if (!ws || identifiedAcks === 0) return;
        while (sent < perConn && pending.size + reidentifies - (identifiedAcks - 1) < WINDOW) {
          const id = `${k}-${sent}`;
          const m = sessionMessage(r, id);
          if (m.op === 2) reidentifies++;
          else pending.set(id, m.op);
          ws.send(m.text);
          bytes += m.text.length;
          sent++;
        }
        if (sent === perConn && pending.size === 0 && identifiedAcks - 1 === reidentifies) done();
      };
      const problems: string[] = [];
      const ws = await open(rig.url, (sock, text) => {
        const msg = JSON.parse(text) as { op: number; d: { requestId?: string; requestStatus?: { code: number }; results?: { requestStatus: { code: number } }[] } };
        if (msg.op === 0) return sock.send(JSON.stringify({ op: 1, d: { rpcVersion: 1, eventSubscriptions: 0 } }));
        if (msg.op === 2) identifiedAcks++;
        if (msg.op === 7 || msg.op === 9) {
          const id = String(msg.d.requestId);
          if (pending.get(id) !== msg.op) problems.push(`unexpected answer ${msg.op} to ${id}`);
          pending.delete(id);
          answered++;
          const codes = msg.op === 7 ? [msg.d.requestStatus?.code ?? -1] : (msg.d.results ?? []).map((x) => x.requestStatus.code);
          for (const c of codes) {
            if (!STATUS_CODES.has(c)) problems.push(`unknown status ${c}`);
            statusCounts.set(c, (statusCounts.get(c) ?? 0) + 1);
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
      expect(problems).toEqual([]);
      expect(identifiedAcks - 1).toBe(reidentifies); // the first Identified answered Identify
      answered += reidentifies;
      ws.removeAllListeners('close');
      ws.close();
    };

    // Close-level: one connection per message, 8 at a time.
    const closeCounts = new Map<number, number>();
    let next = 0;
    const closeWorker = async (): Promise<void> => {
      while (next < CLOSING) {
        const i = next++;
        const m = closingMessage(rng(seed * 1_000_000 + i), i);
        let identified: () => void = () => undefined;
        const ready = new Promise<void>((res) => (identified = res));
        const ws = await open(rig.url, (sock, text) => {
          const op = (JSON.parse(text) as { op: number }).op;
          if (op === 0 && m.identify) sock.send(JSON.stringify({ op: 1, d: { rpcVersion: 1 } }));
          if (op === 2) identified();
        });
        const closed = new Promise<number>((res) => ws.once('close', (c) => res(c)));
        ws.on('error', () => undefined);
        if (m.identify) await ready;
        ws.send(m.data, { binary: m.binary ?? false });
        const got = await closed;
        expect([i % 16, got]).toEqual([i % 16, m.code]);
        closeCounts.set(got, (closeCounts.get(got) ?? 0) + 1);
      }
    };

    const cpu0 = process.cpuUsage();
    await Promise.all([...Array.from({ length: SESSION_CONNECTIONS }, (_, k) => sessionRun(k)), ...Array.from({ length: 8 }, closeWorker)]);
    const cpu = process.cpuUsage(cpu0);
    const fuzzMs = performance.now() - t0;
    const closes = [...closeCounts.values()].reduce((a, b) => a + b, 0);
    expect(answered + closes).toBe(TOTAL);

    // The server is still up and serves a healthy client.
    const obs = new TappedOBS();
    await obs.connect(rig.url);
    await obs.call('SetCurrentProgramScene', { sceneName: 'Main' });
    expect((await obs.call('GetCurrentProgramScene')).sceneName).toBe('Main');
    expect((await obs.call('GetVersion')).rpcVersion).toBe(1);
    expect(rig.server.clients()).toHaveLength(1);
    await obs.disconnect();

    const fmt = (m: Map<number, number>) => [...m].sort((a, b) => a[0] - b[0]).map(([c, n]) => `${c}×${n}`).join(' ');
    console.log(`[fuzz] seed ${seed}: ${TOTAL} messages (${(bytes / 1e6).toFixed(1)} MB in sessions) in ${(fuzzMs / 1000).toFixed(1)} s, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU (client and server); ${answered} answered in-session (request statuses ${fmt(statusCounts)}); ${closes} closes (${fmt(closeCounts)})`);
  }, 150_000); // bounded by this timeout; how fast it runs is not a property under test

});
