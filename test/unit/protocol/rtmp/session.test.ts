import { describe, expect, it } from 'vitest';
import { amf0Props } from '../../../../src/main/protocol/amf0/amf0';
import { ClientHandshake } from '../../../../src/main/protocol/rtmp/handshake';
import {
  commandMessage, MessageType, parseCommand, parseUserControl, pingRequestMessage, pingResponseMessage, setChunkSizeMessage,
  setPeerBandwidthMessage, windowAckSizeMessage, type RtmpMessage,
} from '../../../../src/main/protocol/rtmp/messages';
import { RtmpClientSession, type RtmpSessionOptions } from '../../../../src/main/protocol/rtmp/session';
import { AuthError, ConnectError, InvalidStateError, ProtocolError, TandemError } from '../../../../src/shared/errors';
import { FakeServer, tick, toHex } from './helpers';

const KEY = 'live_123456789_SECRETKEY';
const TARGET = 'rtmp://127.0.0.1/live/****';

function setup(extra: Partial<RtmpSessionOptions> = {}): { s: RtmpClientSession; server: FakeServer; clock: { t: number } } {
  const server = new FakeServer();
  const clock = { t: 1000 };
  const s = new RtmpClientSession({
    app: 'live', tcUrl: 'rtmp://127.0.0.1/live', streamKey: KEY, target: TARGET,
    send: (b) => server.feed(b), now: () => clock.t, random: (n) => new Uint8Array(n).fill(7), ...extra,
  });
  return { s, server, clock };
}

const ok = (txid: number, info: Record<string, string> = { level: 'status', code: 'NetConnection.Connect.Success' }): RtmpMessage =>
  commandMessage('_result', txid, { fmsVer: 'FMS/3,0,1,123', capabilities: 31 }, [info]);
const onStatus = (code: string, level = 'status', description = ''): RtmpMessage =>
  commandMessage('onStatus', 0, null, [{ level, code, description }], { csid: 5, streamId: 1 });

/** Drive the session up to the point where `publish` was sent. */
async function toPublish(s: RtmpClientSession, server: FakeServer): Promise<{ p: Promise<number> }> {
  const p = s.publish();
  p.catch(() => undefined);
  s.receive(server.handshake());
  await tick();
  s.receive(server.send(windowAckSizeMessage(5000000), setPeerBandwidthMessage(5000000, 2), setChunkSizeMessage(4096), ok(1)));
  await tick();
  const cs = server.commands().find((c) => c.name === 'createStream')!;
  s.receive(server.send(commandMessage('_result', cs.transactionId, null, [1])));
  await tick();
  return { p };
}

describe('RtmpClientSession publish flow', () => {
  it('handshake: C0+C1 then C2 echoing S1', async () => {
    const { s, server } = setup();
    const p = s.publish();
    p.catch(() => undefined);
    expect(server.c1?.length).toBe(1536);
    expect(toHex(server.c1!.subarray(0, 8))).toBe('0000000000000000');
    s.receive(server.handshake());
    expect(toHex(server.c2!.subarray(8))).toBe(toHex(new Uint8Array(1528).fill(0x5a)));
    s.close();
    await expect(p).rejects.toBeInstanceOf(InvalidStateError);
  });

  it('connect → releaseStream → FCPublish → createStream → publish(key, "live") → live', async () => {
    const { s, server } = setup();
    const { p } = await toPublish(s, server);
    const cmds = server.commands();
    expect(cmds.map((c) => c.name)).toEqual(['connect', 'releaseStream', 'FCPublish', 'createStream', 'publish']);
    expect(cmds.map((c) => c.transactionId)).toEqual([1, 2, 3, 4, 5]);
    expect(cmds[0]!.commandObject).toEqual({
      app: 'live', type: 'nonprivate', flashVer: 'FMLE/3.0 (compatible; TandemStudio)', swfUrl: 'rtmp://127.0.0.1/live',
      tcUrl: 'rtmp://127.0.0.1/live', fourCcList: ['avc1'], // only what this session sends (H.264)
    });
    expect(cmds[1]!.args).toEqual([KEY]);
    expect(cmds[4]!.args).toEqual([KEY, 'live']);
    const publishMsg = server.messages.find((m) => m.typeId === MessageType.CommandAmf0 && parseCommand(m).name === 'publish')!;
    expect(publishMsg.streamId).toBe(1);
    // Set Chunk Size 4096 is the first message, before connect
    expect(server.messages[0]!.typeId).toBe(MessageType.SetChunkSize);
    expect(server.reader.chunkSize).toBe(4096);
    // Set Peer Bandwidth is answered with Window Acknowledgement Size
    expect(server.messages.some((m) => m.typeId === MessageType.WindowAckSize)).toBe(true);
    s.receive(server.send(onStatus('NetStream.Publish.Start')));
    await expect(p).resolves.toBe(1);
    expect(s.state).toBe('live');
  });

  it('a clean stop sends FCUnpublish then deleteStream', async () => {
    const { s, server } = setup();
    const { p } = await toPublish(s, server);
    s.receive(server.send(onStatus('NetStream.Publish.Start')));
    await p;
    s.stop();
    const names = server.commands().map((c) => c.name);
    expect(names.slice(-2)).toEqual(['FCUnpublish', 'deleteStream']);
    expect(server.commands().at(-1)!.args).toEqual([1]);
    expect(s.state).toBe('closed');
    s.stop();
    s.close();
  });

  it('audio and video bodies given in parts arrive as one message each, parts joined in order', async () => {
    const { s, server } = setup();
    const { p } = await toPublish(s, server);
    s.receive(server.send(onStatus('NetStream.Publish.Start')));
    await p;
    const nal = new Uint8Array(9000).map((_, i) => i * 7);
    s.sendVideo(40, [new Uint8Array([0x17, 1, 0, 0, 0]), new Uint8Array([0, 0, 0x23, 0x28]), nal]);
    s.sendAudio(41, [new Uint8Array([0xaf, 1]), new Uint8Array([1, 2, 3])]);
    s.sendVideo(73, new Uint8Array([0x27, 1, 0, 0, 0, 0, 0, 0, 1, 0x41]));
    const media = server.messages.filter((m) => m.typeId === MessageType.Video || m.typeId === MessageType.Audio);
    expect(media.map((m) => [m.typeId, m.timestamp, m.streamId, m.payload.length])).toEqual([[9, 40, 1, 9009], [8, 41, 1, 5], [9, 73, 1, 10]]);
    expect(toHex(media[0]!.payload.subarray(0, 10))).toBe('17010000000000232800');
    expect(Buffer.compare(media[0]!.payload.subarray(9), nal)).toBe(0);
    expect(toHex(media[1]!.payload)).toBe('af01010203');
  });

  it('fourCcList can be left out', async () => {
    const { s, server } = setup({ fourCcList: null });
    const p = s.publish();
    s.receive(server.handshake());
    await tick();
    expect(amf0Props(server.commands()[0]!.commandObject)).not.toHaveProperty('fourCcList');
    s.close();
    await expect(p).rejects.toThrow();
  });

  it('NetStream.Publish.BadName "already publishing" → stream-busy, key redacted', async () => {
    const { s, server } = setup();
    const { p } = await toPublish(s, server);
    s.receive(server.send(onStatus('NetStream.Publish.BadName', 'error', `Already publishing ${KEY}`)));
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe('stream-busy');
    expect((err as Error).message).toContain(TARGET);
    expect((err as Error).message).not.toContain('SECRETKEY');
  });

  it('other BadName and Publish.Denied → auth-rejected', async () => {
    for (const [code, desc] of [['NetStream.Publish.BadName', 'invalid'], ['NetStream.Publish.Denied', '']]) {
      const { s, server } = setup();
      const { p } = await toPublish(s, server);
      s.receive(server.send(onStatus(code!, 'error', desc)));
      const err = (await p.catch((e: unknown) => e)) as TandemError;
      expect(err).toBeInstanceOf(AuthError);
      expect(err.code).toBe('auth-rejected');
      expect(err.status).toBe(code);
    }
  });

  it('_error on publish and on connect are clear AuthErrors', async () => {
    const a = setup();
    const { p } = await toPublish(a.s, a.server);
    a.s.receive(a.server.send(commandMessage('_error', 5, null, [{ level: 'error', code: 'NetStream.Publish.Rejected', description: 'no' }])));
    expect(((await p.catch((e: unknown) => e)) as TandemError).code).toBe('auth-rejected');

    const b = setup();
    const q = b.s.publish();
    b.s.receive(b.server.handshake());
    await tick();
    b.s.receive(b.server.send(commandMessage('_error', 1, null, [{ level: 'error', code: 'NetConnection.Connect.Rejected', description: '[ AccessManager.Reject ]' }])));
    const err = (await q.catch((e: unknown) => e)) as TandemError;
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).toMatch(/refused the connection.*Connect\.Rejected/);
  });

  it('the server closing right after publish means the key was rejected', async () => {
    const { s, server } = setup();
    const { p } = await toPublish(s, server);
    s.transportClosed();
    const err = (await p.catch((e: unknown) => e)) as TandemError;
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).toMatch(/right after publish/);
  });

  it('closing during the handshake is a ConnectError', async () => {
    const { s } = setup();
    const p = s.publish();
    s.transportClosed();
    const err = (await p.catch((e: unknown) => e)) as TandemError;
    expect(err).toBeInstanceOf(ConnectError);
    expect(err.code).toBe('connection-closed');
  });

  it('a disconnect mid-stream is an error event, not a rejection', async () => {
    const { s, server } = setup();
    const { p } = await toPublish(s, server);
    s.receive(server.send(onStatus('NetStream.Publish.Start')));
    await p;
    const errors: TandemError[] = [];
    s.on('error', (e) => errors.push(e));
    s.transportClosed();
    expect(errors.map((e) => [e.code, e.message])).toEqual([['connection-closed', `${TARGET}: disconnected mid-stream`]]);
  });

  it('answers PingRequest with PingResponse and measures its own pings', async () => {
    const { s, server, clock } = setup();
    const { p } = await toPublish(s, server);
    s.receive(server.send(onStatus('NetStream.Publish.Start')));
    await p;
    s.receive(server.send(pingRequestMessage(0xdeadbeef)));
    const uc = server.messages.filter((m) => m.typeId === MessageType.UserControl).map((m) => parseUserControl(m));
    expect(uc).toContainEqual({ event: 7, value: 0xdeadbeef });
    const rtts: number[] = [];
    s.on('ping', (ms) => rtts.push(ms));
    s.sendPing();
    const req = server.messages.filter((m) => m.typeId === MessageType.UserControl).map((m) => parseUserControl(m)).at(-1)!;
    expect(req.event).toBe(6);
    clock.t += 42;
    s.receive(server.send(pingResponseMessage(req.value)));
    expect(rtts).toEqual([42]);
  });

  it('acknowledges each window of received bytes', async () => {
    const { s, server } = setup();
    const p = s.publish();
    p.catch(() => undefined);
    s.receive(server.handshake());
    await tick();
    s.receive(server.send(windowAckSizeMessage(4000)));
    const filler = commandMessage('onBWDone', 0, null, ['x'.repeat(3000)]);
    s.receive(server.send(filler));
    const after = s.bytesReceived;
    s.receive(server.send(filler));
    const acks = server.messages.filter((m) => m.typeId === MessageType.Acknowledgement);
    expect(acks).toHaveLength(1);
    expect(new DataView(acks[0]!.payload.buffer).getUint32(0)).toBe(after);
    expect(after).toBeGreaterThan(4000);
    s.close();
  });

  it('an AMF3 object from the server fails with a ProtocolError and rejects the pending call', async () => {
    const { s, server } = setup();
    const p = s.publish();
    s.receive(server.handshake());
    await tick();
    const amf3: RtmpMessage = { csid: 3, timestamp: 0, typeId: MessageType.CommandAmf3, streamId: 0, payload: new Uint8Array([0, 2, 0, 7, ...new TextEncoder().encode('_result'), 0, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0x11, 0x0a, 0x0b, 0x01, 0x01]) };
    s.receive(server.send(amf3));
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toMatch(/AMF3/);
    expect(s.state).toBe('closed');
  });

  it('close() is idempotent and rejects pending transactions with a typed error', async () => {
    const { s, server } = setup();
    const p = s.publish();
    s.receive(server.handshake());
    await tick();
    s.close();
    s.close();
    await expect(p).rejects.toBeInstanceOf(InvalidStateError);
    s.receive(new Uint8Array([1, 2, 3])); // ignored after close
    expect(() => s.sendVideo(0, new Uint8Array(1))).toThrow(InvalidStateError);
  });

  it('a server that is not RTMP fails the handshake with a ProtocolError', async () => {
    const { s } = setup();
    const p = s.publish();
    s.receive(new TextEncoder().encode('HTTP/1.1 400 Bad Request\r\n'));
    expect(await p.catch((e: unknown) => e)).toBeInstanceOf(ProtocolError);
  });
});

describe('ClientHandshake', () => {
  it('C0+C1 layout and C2 = S1 with our read time', () => {
    const hs = new ClientHandshake(0x01020304, new Uint8Array(1528).fill(9));
    const c = hs.c0c1();
    expect(c.length).toBe(1537);
    expect(toHex(c.subarray(0, 9))).toBe('030102030400000000');
    const s = new Uint8Array(3073);
    s[0] = 3;
    s.set([0, 0, 0, 5, 0, 0, 0, 0], 1);
    expect(hs.push(s.subarray(0, 2000), 77)).toBeUndefined();
    const r = hs.push(new Uint8Array([...s.subarray(2000), 0xaa]), 77)!;
    expect(toHex(r.c2.subarray(0, 8))).toBe('000000050000004d');
    expect(r.serverTime).toBe(5);
    expect(toHex(r.rest)).toBe('aa');
    expect(() => new ClientHandshake(0, new Uint8Array(3)).c0c1()).toThrow(ProtocolError);
  });
});
