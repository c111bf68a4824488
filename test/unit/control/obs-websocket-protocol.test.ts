// Protocol violations and their close codes, as protocol.md's WebSocketCloseCode table numbers
// them, seen by a bare WebSocket client; msgpack refused; ExitStarted on engine shutdown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OBSWebSocketMsgpack from 'obs-websocket-js/msgpack';
import { identifiedRaw, rawClient, startRig, TappedOBS, type Rig } from '../../helpers/obs-websocket';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig.close();
});

async function closeCodeOf(messages: (object | string | Buffer)[], identify: boolean): Promise<number> {
  const c = identify ? await identifiedRaw(rig.url) : await rawClient(rig.url);
  if (!identify) await c.next(0);
  for (const m of messages) c.ws.send(Buffer.isBuffer(m) ? m : typeof m === 'string' ? m : JSON.stringify(m));
  return (await c.closed).code;
}

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

describe('obs-websocket close codes (protocol.md WebSocketCloseCode)', () => {
  const beforeIdentify: [string, (object | string | Buffer)[], number][] = [
    ['a binary frame', [Buffer.from([1, 2, 3])], 4002],
    ['bad JSON', ['{"op":1,'], 4002],
    ['a non-object payload', ['[1,2,3]'], 4002],
    ['JSON nested 40 deep', [`{"op":1,"d":{"x":${deep(40)}}}`], 4002],
    ['a pre-5.0 request', [{ 'request-type': 'GetVersion', 'message-id': '1' }], 4010],
    ['no op', [{ d: {} }], 4006],
    ['a string op', [{ op: '1', d: {} }], 4006],
    ['no d', [{ op: 1 }], 4003],
    ['d not an object', [{ op: 1, d: 'x' }], 4004],
    ['a Request before Identify', [{ op: 6, d: { requestType: 'GetVersion', requestId: '1' } }], 4007],
    ['Identify without rpcVersion', [{ op: 1, d: {} }], 4003],
    ['Identify with a string rpcVersion', [{ op: 1, d: { rpcVersion: '1' } }], 4004],
    ['Identify with rpcVersion 2', [{ op: 1, d: { rpcVersion: 2 } }], 4010],
    ['Identify with negative eventSubscriptions', [{ op: 1, d: { rpcVersion: 1, eventSubscriptions: -1 } }], 4004],
  ];
  for (const [what, msgs, code] of beforeIdentify) {
    it(`${what} → ${code}`, async () => expect(await closeCodeOf(msgs, false)).toBe(code));
  }

  const afterIdentify: [string, (object | string)[], number][] = [
    ['Identify twice', [{ op: 1, d: { rpcVersion: 1 } }], 4008],
    ['an unknown op', [{ op: 4, d: {} }], 4006],
    ['a server-only op', [{ op: 7, d: {} }], 4006],
    ['a Request without requestId', [{ op: 6, d: { requestType: 'GetVersion' } }], 4003],
    ['a Request with an object requestId', [{ op: 6, d: { requestType: 'GetVersion', requestId: {} } }], 4004],
    ['a Request without requestType', [{ op: 6, d: { requestId: '1' } }], 4003],
    ['a Request with a numeric requestType', [{ op: 6, d: { requestId: '1', requestType: 5 } }], 4004],
    ['a batch without requests', [{ op: 8, d: { requestId: '1' } }], 4003],
    ['a batch whose requests is an object', [{ op: 8, d: { requestId: '1', requests: {} } }], 4004],
    ['a batch with haltOnFailure "yes"', [{ op: 8, d: { requestId: '1', requests: [], haltOnFailure: 'yes' } }], 4004],
    ['a batch with executionType 7', [{ op: 8, d: { requestId: '1', requests: [], executionType: 7 } }], 4005],
    ['a SerialFrame batch', [{ op: 8, d: { requestId: '1', requests: [], executionType: 1 } }], 4012],
    ['a Parallel batch with variables', [{ op: 8, d: { requestId: '1', requests: [], executionType: 2, variables: {} } }], 4012],
    ['Reidentify with eventSubscriptions 1.5', [{ op: 3, d: { eventSubscriptions: 1.5 } }], 4004],
  ];
  for (const [what, msgs, code] of afterIdentify) {
    it(`${what} → ${code} (identified)`, async () => expect(await closeCodeOf(msgs, true)).toBe(code));
  }

  it('a message over the size limit → 1009 (RFC 6455 message too big)', async () => {
    expect(await closeCodeOf([`{"op":6,"d":{"requestType":"${'x'.repeat(1100_000)}","requestId":"1"}}`], true)).toBe(1009);
  });

  it('a client that never identifies is closed after identifyTimeoutMs (1008)', async () => {
    const quick = await startRig({ identifyTimeoutMs: 100 });
    const c = await rawClient(quick.url);
    await c.next(0);
    expect((await c.closed).code).toBe(1008);
    await quick.close();
  });
});

describe('obs-websocket answers inside a session', () => {
  it('request-level problems get a status and keep the connection', async () => {
    const c = await identifiedRaw(rig.url);
    const ask = async (d: object) => {
      c.send({ op: 6, d: { requestId: 'q', ...d } });
      return (await c.next(7)).d;
    };
    expect(await ask({ requestType: '' })).toMatchObject({ requestStatus: { result: false, code: 203 } });
    expect(await ask({ requestType: 'GetVersion', requestData: [1] })).toMatchObject({ requestStatus: { result: false, code: 401 } });
    expect(await ask({ requestType: 'GetSceneList', requestData: null })).toMatchObject({ requestStatus: { result: true, code: 100 } });
    expect(await ask({ requestType: 'toString' })).toMatchObject({ requestType: 'toString', requestStatus: { code: 204 } });
    c.send({ op: 8, d: { requestId: 'b', requests: [7, { requestType: 3 }, { requestType: 'GetVersion', requestId: 9 }] } });
    const batch = (await c.next(9)).d as { requestId: string; results: { requestType: string; requestId?: number; requestStatus: { code: number } }[] };
    expect(batch.requestId).toBe('b');
    expect(batch.results.map((r) => r.requestStatus.code)).toEqual([203, 203, 100]);
    expect(batch.results[2]?.requestId).toBe(9);
    c.send({ op: 3, d: { eventSubscriptions: 0 } });
    expect((await c.next(2)).d).toEqual({ negotiatedRpcVersion: 1 });
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    c.ws.close();
  });

  it('refuses the msgpack subprotocol with UnsupportedFeature (4012)', async () => {
    const c = await rawClient(rig.url, { protocols: ['obswebsocket.msgpack'] });
    expect(c.ws.protocol).toBe('obswebsocket.msgpack');
    expect(await c.closed).toEqual({ code: 4012, reason: 'MessagePack is not supported: connect with obswebsocket.json' });
    // obs-websocket-js's default Node entry point speaks msgpack: it is told the same.
    const obs = new OBSWebSocketMsgpack();
    await expect(obs.connect(rig.url)).rejects.toMatchObject({ code: 4012 });
  });

  it('speaks JSON to a client that asks for no subprotocol', async () => {
    const c = await rawClient(rig.url, { protocols: [] });
    expect(c.ws.protocol).toBe('');
    expect((await c.next(0)).d.rpcVersion).toBe(1);
    c.ws.close();
  });
});

describe('obs-websocket shutdown', () => {
  it('sends ExitStarted to General subscribers, then closes with 1001 and stops listening', async () => {
    const own = await startRig();
    const obs = new TappedOBS();
    await obs.connect(own.url);
    const exit = new Promise<void>((r) => obs.once('ExitStarted', () => r()));
    const closed = new Promise<number>((r) => obs.once('ConnectionClosed', (e) => r(e.code)));
    const done = own.server.close({ exiting: true });
    await exit;
    expect(await closed).toBe(1001);
    await done;
    await own.studio.close();
    await expect(rawClient(own.url)).rejects.toThrow();
  });
});
