// RtmpSocket against a loopback TCP server: what is written in one tick reaches the kernel
// together (docs/benchmarks/rtmp.md: one write() per RTMP message meant one TCP segment and one
// server wakeup per message), in order, with back-pressure and end() still right.
import * as net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RtmpSocket } from '../../../../src/main/outputs/rtmp/socket';
import { ChunkWriter } from '../../../../src/main/protocol/rtmp/chunk-writer';
import { videoMessage } from '../../../../src/main/protocol/rtmp/messages';
import { prng, randomBytes } from '../../protocol/rtmp/helpers';

interface Sink {
  port: number;
  received: () => Buffer;
  ended: Promise<void>;
  close: () => Promise<void>;
}

async function sink(): Promise<Sink> {
  const chunks: Buffer[] = [];
  let peer: net.Socket | undefined;
  let ended!: () => void;
  const endedP = new Promise<void>((r) => (ended = r));
  const srv = net.createServer((s) => {
    peer = s;
    s.on('data', (b) => chunks.push(b));
    s.on('end', () => ended());
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return {
    port: (srv.address() as net.AddressInfo).port,
    received: () => Buffer.concat(chunks),
    ended: endedP,
    close: () => new Promise<void>((r) => (peer?.destroy(), srv.close(() => r()))),
  };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of cleanups.splice(0)) await c();
});

async function connected(): Promise<{ sock: RtmpSocket; srv: Sink }> {
  const srv = await sink();
  cleanups.push(srv.close);
  const sock = await RtmpSocket.connect({ host: '127.0.0.1', port: srv.port, secure: false, verifyCertificate: true, timeoutMs: 2000, target: 'rtmp://127.0.0.1/live/****' });
  cleanups.push(() => sock.destroy());
  return { sock, srv };
}

const until = async (cond: () => boolean, ms = 3000): Promise<void> => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('RtmpSocket', () => {
  it('gathers the messages written in one tick into one socket write, bytes in order', async () => {
    const { sock, srv } = await connected();
    const writes = vi.spyOn(net.Socket.prototype, 'write');
    const w = new ChunkWriter();
    w.setChunkSize(4096);
    const rand = prng(3);
    const sent: Uint8Array[] = [];
    for (let i = 0; i < 40; i++) {
      const m = w.write(videoMessage(randomBytes(rand, 200 + ((rand() * 5000) | 0)), 1, i * 33));
      sent.push(m);
      sock.write(m); // adjacent views of the writer's output block
    }
    const other = randomBytes(rand, 300); // not adjacent: its own buffer
    sent.push(other);
    sock.write(other);
    const total = sent.reduce((n, b) => n + b.length, 0);
    expect(sock.writableLength).toBe(total); // counted at once, for the caller's back-pressure
    expect(writes).not.toHaveBeenCalled(); // nothing reached the socket yet
    await until(() => srv.received().length >= total);
    expect(writes).toHaveBeenCalledTimes(2);
    expect(Buffer.compare(srv.received(), Buffer.concat(sent))).toBe(0);
  });

  it('emits drain after a flush that left room, so a writer waiting on writableLength goes on', async () => {
    const { sock } = await connected();
    let drains = 0;
    sock.on('drain', () => drains++);
    sock.write(new Uint8Array(1000));
    expect(sock.writableLength).toBe(1000);
    await new Promise((r) => setImmediate(r));
    expect(drains).toBe(1);
    expect(sock.writableLength).toBe(0);
  });

  it('end() sends what was written just before it, then closes', async () => {
    const { sock, srv } = await connected();
    sock.write(new Uint8Array([1, 2, 3]));
    sock.write(new Uint8Array([4, 5]));
    await sock.end();
    await srv.ended;
    expect([...srv.received()]).toEqual([1, 2, 3, 4, 5]);
  });

  it('destroy() drops what was not flushed yet and writes nothing after', async () => {
    const { sock, srv } = await connected();
    const closes: unknown[] = [];
    sock.on('close', (e) => closes.push(e));
    sock.write(new Uint8Array(100));
    sock.destroy();
    expect(sock.write(new Uint8Array(1))).toBe(false);
    await new Promise((r) => setTimeout(r, 50));
    expect(srv.received().length).toBe(0);
    expect(closes).toEqual([undefined]);
  });
});
