// ≥100k mutated server byte streams through the chunk reader and message parsers, and a share of
// them through a whole client session: only typed ProtocolErrors, no hang, bounded buffers.
import { describe, expect, it } from 'vitest';
import { ChunkReader } from '../../../../src/main/protocol/rtmp/chunk-reader';
import { ChunkWriter } from '../../../../src/main/protocol/rtmp/chunk-writer';
import {
  abortMessage, commandMessage, MessageType, parseCommand, parsePeerBandwidth, parseUserControl, pingRequestMessage,
  readU32Payload, setChunkSizeMessage, setPeerBandwidthMessage, userControlMessage, windowAckSizeMessage, type RtmpMessage,
} from '../../../../src/main/protocol/rtmp/messages';
import { RtmpClientSession } from '../../../../src/main/protocol/rtmp/session';
import { ProtocolError, TandemError } from '../../../../src/shared/errors';
import { FakeServer, prng, randomBytes, tick } from './helpers';

const MAX_MESSAGE = 1024 * 1024;

function corpus(rand: () => number): Uint8Array {
  const w = new ChunkWriter();
  const msgs: RtmpMessage[] = [
    windowAckSizeMessage(2500000),
    setPeerBandwidthMessage(2500000, 2),
    setChunkSizeMessage(1 + ((rand() * 300) | 0)),
    commandMessage('_result', 1, { fmsVer: 'FMS/3,0,1,123', capabilities: 31 }, [{ level: 'status', code: 'NetConnection.Connect.Success', description: 'Connection succeeded.', objectEncoding: 0 }]),
    commandMessage('onBWDone', 0, null, [8192]),
    commandMessage('_result', 4, null, [1]),
    userControlMessage(0, 1),
    commandMessage('onStatus', 0, null, [{ level: 'status', code: 'NetStream.Publish.Start', description: 'Start publishing' }], { csid: 5, streamId: 1 }),
    pingRequestMessage((rand() * 2 ** 32) >>> 0),
    { csid: 70, timestamp: 0x1000000 + ((rand() * 1000) | 0), typeId: MessageType.DataAmf0, streamId: 1, payload: randomBytes(rand, 400) },
    abortMessage(70),
    { csid: 3, timestamp: 0, typeId: MessageType.CommandAmf3, streamId: 0, payload: new Uint8Array([0, 2, 0, 1, 0x61, 0x11, 0x0a]) },
  ];
  const out: Uint8Array[] = [];
  for (const m of msgs) {
    if (rand() < 0.15) continue;
    out.push(w.write(m));
    if (m.typeId === MessageType.SetChunkSize) w.setChunkSize(readU32Payload(m));
  }
  return new Uint8Array(Buffer.concat(out));
}

function mutate(rand: () => number, input: Uint8Array): Uint8Array {
  const b = Array.from(input);
  const n = 1 + ((rand() * 8) | 0);
  for (let i = 0; i < n; i++) {
    const at = (rand() * (b.length + 1)) | 0;
    const op = (rand() * 7) | 0;
    if (op === 0) b[at] = (rand() * 256) | 0;
    else if (op === 1) b[at] = (b[at] ?? 0) ^ (1 << ((rand() * 8) | 0));
    else if (op === 2) b.splice(at, (rand() * 16) | 0);
    else if (op === 3) b.splice(at, 0, ...randomBytes(rand, (rand() * 16) | 0));
    else if (op === 4) b.splice(at, 0, ...b.slice(at, at + ((rand() * 64) | 0)));
    else if (op === 5) b[at] = rand() < 0.5 ? 0xff : 0x00;
    else b.length = Math.min(b.length, at);
  }
  return new Uint8Array(b);
}

function parseAll(m: RtmpMessage): void {
  switch (m.typeId) {
    case MessageType.CommandAmf0:
    case MessageType.CommandAmf3:
      parseCommand(m);
      break;
    case MessageType.UserControl:
      parseUserControl(m);
      break;
    case MessageType.SetPeerBandwidth:
      parsePeerBandwidth(m);
      break;
    case MessageType.WindowAckSize:
    case MessageType.Acknowledgement:
      readU32Payload(m);
      break;
  }
}

describe('fuzz', () => {
  it('100k mutated server streams → messages or ProtocolError only, with bounded buffers (a hang fails on the test timeout)', () => {
    const rand = prng(20240601);
    const N = 100_000;
    const counts = { ok: 0, protocolError: 0, messages: 0 };
    for (let i = 0; i < N; i++) {
      const input = mutate(rand, corpus(rand));
      const r = new ChunkReader({ maxMessageSize: MAX_MESSAGE, maxPendingBytes: 4 * MAX_MESSAGE });
      try {
        let p = 0;
        while (p < input.length) {
          const step = rand() < 0.5 ? input.length : 1 + ((rand() * 64) | 0);
          for (const m of r.push(input.subarray(p, p + step))) {
            counts.messages++;
            parseAll(m);
          }
          p += step;
          if (r.buffered > MAX_MESSAGE + 18) throw new Error(`iteration ${i}: ${r.buffered} bytes buffered`);
        }
        counts.ok++;
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw new Error(`iteration ${i}: ${String(e)}\n${Buffer.from(input).toString('hex')}`);
        counts.protocolError++;
      }
    }
    expect(counts.ok + counts.protocolError).toBe(N);
    expect(counts.protocolError).toBeGreaterThan(N / 20);
    expect(counts.ok).toBeGreaterThan(N / 20);
    expect(counts.messages).toBeGreaterThan(N);
  }, 120_000);

  it('5k mutated streams through a whole session: it never throws, failures are TandemErrors', async () => {
    const rand = prng(77);
    let failed = 0;
    for (let i = 0; i < 5000; i++) {
      const server = new FakeServer();
      const s = new RtmpClientSession({
        app: 'live', tcUrl: 'rtmp://h/live', streamKey: 'k3y-k3y', target: 'rtmp://h/live/****',
        send: (b) => server.feed(b), random: (n) => new Uint8Array(n),
      });
      const p = s.publish();
      let err: unknown;
      p.catch((e: unknown) => (err = e));
      s.receive(server.handshake());
      await tick();
      const input = mutate(rand, corpus(rand));
      for (let o = 0; o < input.length; o += 97) s.receive(input.subarray(o, o + 97));
      await tick();
      s.close();
      await tick();
      if (err !== undefined) {
        expect(err).toBeInstanceOf(TandemError);
        if (!(err instanceof ProtocolError)) expect(['invalid-state', 'auth-rejected', 'server-error', 'connection-closed', 'stream-busy']).toContain((err as TandemError).code);
        else failed++;
      }
    }
    expect(failed).toBeGreaterThan(100);
  }, 120_000);
});
