// RtmpOutput against a scripted loopback server (FakeServer from the protocol tests).
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RtmpOutput } from '../../../../src/main/outputs/rtmp/rtmp-output';
import { audioPacket, videoPacket, type AacConfig, type H264Config } from '../../../../src/main/protocol/media';
import { parseAudioTag, parseVideoTag } from '../../../../src/main/protocol/flv/tags';
import { commandMessage, MessageType, parseCommand } from '../../../../src/main/protocol/rtmp/messages';
import { InvalidStateError } from '../../../../src/shared/errors';
import { FakeServer, fixture } from '../../protocol/rtmp/helpers';
import { nalusToAvcc, splitAnnexB } from '../../../../src/main/protocol/h264/annexb';
import { NalType, nalType } from '../../../../src/main/protocol/h264/nal';

const annexB = fixture('h264-two-frames.annexb.hex');
const nals = splitAnnexB(annexB);
const VIDEO: H264Config = { codec: 'h264', width: 1280, height: 720, fps: 30, sps: [nals[1]!], pps: [nals[2]!] };
const AUDIO: AacConfig = { codec: 'aac', sampleRate: 48000, channels: 2, asc: new Uint8Array([0x11, 0x90]) };

interface Scripted {
  port: number;
  server: FakeServer;
  close(): Promise<void>;
  drop(): void;
}

async function scriptedServer(opts: { reject?: boolean } = {}): Promise<Scripted> {
  const fake = new FakeServer();
  let sock: net.Socket | undefined;
  const srv = net.createServer((s) => {
    sock = s;
    let handshaken = false;
    let seen = 0;
    s.on('data', (b) => {
      fake.feed(b);
      if (!handshaken && fake.c1) {
        handshaken = true;
        s.write(fake.handshake());
      }
      const cmds = fake.commands();
      for (const c of cmds.slice(seen)) {
        if (c.name === 'connect') s.write(fake.send(commandMessage('_result', c.transactionId, {}, [{ level: 'status', code: 'NetConnection.Connect.Success' }])));
        if (c.name === 'createStream') s.write(fake.send(commandMessage('_result', c.transactionId, null, [1])));
        if (c.name === 'publish') {
          const code = opts.reject ? 'NetStream.Publish.BadName' : 'NetStream.Publish.Start';
          s.write(fake.send(commandMessage('onStatus', 0, null, [{ level: opts.reject ? 'error' : 'status', code, description: 'Already publishing' }], { csid: 5, streamId: 1 })));
        }
      }
      seen = cmds.length;
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return {
    port: (srv.address() as net.AddressInfo).port,
    server: fake,
    drop: () => sock?.destroy(),
    close: () => new Promise<void>((r) => (sock?.destroy(), srv.close(() => r()))),
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('RtmpOutput', () => {
  it('publishes metadata, sequence headers and frames from the first keyframe; stop says goodbye', async () => {
    const srv = await scriptedServer();
    cleanups.push(srv.close);
    const out = new RtmpOutput({ id: 'a', url: `rtmp://127.0.0.1:${srv.port}/live`, streamKey: 'sekrit-key-1', publishSettleMs: 20, videoBitrateKbps: 2500 });
    await out.start([VIDEO, AUDIO]);
    expect(out.stats()).toMatchObject({ state: 'live', url: `rtmp://127.0.0.1:${srv.port}/live/****`, protocol: 'rtmp' });
    out.write(videoPacket('h264', 5_000_000, 5_000_000, false, nals)); // before any keyframe: skipped
    out.write(videoPacket('h264', 5_033_000, 5_033_000, true, nals));
    out.write(audioPacket('aac', 5_054_000, new Uint8Array([1, 2, 3])));
    await sleep(100);
    await out.stop();
    await out.stop();
    const msgs = srv.server.messages;
    const media = msgs.filter((m) => m.typeId === MessageType.Video || m.typeId === MessageType.Audio || m.typeId === MessageType.DataAmf0);
    expect(media.map((m) => [m.typeId, m.timestamp])).toEqual([[18, 0], [9, 0], [8, 0], [9, 0], [8, 21]]);
    expect(parseVideoTag(media[1]!.payload)).toMatchObject({ codecId: 7, packetType: 0 });
    expect(parseVideoTag(media[3]!.payload)).toMatchObject({ codecId: 7, packetType: 1, frameType: 1 });
    // the frame as AVCC (4-byte lengths), AUDs left out, sent from parts the session joined
    expect(Buffer.from(parseVideoTag(media[3]!.payload).data).toString('hex')).toBe(Buffer.from(nalusToAvcc(nals.filter((n) => nalType(n) !== NalType.AUD))).toString('hex'));
    expect(parseAudioTag(media[4]!.payload).data).toEqual(new Uint8Array([1, 2, 3]));
    const names = msgs.filter((m) => m.typeId === MessageType.CommandAmf0).map((m) => parseCommand(m).name);
    expect(names.slice(-2)).toEqual(['FCUnpublish', 'deleteStream']);
    const s = out.stats();
    expect(s).toMatchObject({ state: 'stopped', framesSent: 1, framesDropped: 1 });
    expect(s.bytesSent).toBeGreaterThan(4000);
  });

  it('a rejected key fails start() without retrying', async () => {
    const srv = await scriptedServer({ reject: true });
    cleanups.push(srv.close);
    const out = new RtmpOutput({ id: 'b', url: `rtmp://127.0.0.1:${srv.port}/live/sekrit-key-2` });
    const states: string[] = [];
    out.on('state', (s) => states.push(s));
    await expect(out.start([VIDEO])).rejects.toMatchObject({ code: 'stream-busy' });
    await sleep(50);
    expect(states).toEqual(['connecting', 'failed']);
    await expect(out.start([VIDEO])).rejects.toBeInstanceOf(InvalidStateError);
    await out.stop();
  });

  it('a drop while live goes to reconnecting with attempt 1 and a ~2 s delay', async () => {
    const srv = await scriptedServer();
    cleanups.push(srv.close);
    const out = new RtmpOutput({ id: 'c', url: `rtmp://127.0.0.1:${srv.port}/live/sekrit-key-3`, publishSettleMs: 10 });
    const states: [string, number | undefined, number | undefined][] = [];
    out.on('state', (s, d) => states.push([s, d?.attempt, d?.delayMs]));
    await out.start([VIDEO]);
    srv.drop();
    await sleep(100);
    const r = states.find(([s]) => s === 'reconnecting');
    expect(r?.[1]).toBe(1);
    expect(r?.[2]).toBeGreaterThanOrEqual(2000);
    expect(r?.[2]).toBeLessThanOrEqual(2100);
    expect(out.stats().lastError?.message).not.toContain('sekrit');
    await out.stop();
    expect(out.stats().state).toBe('stopped');
  });

  it('an invalid URL rejects start() with an InputError, redacted', async () => {
    const out = new RtmpOutput({ id: 'd', url: 'http://h/live/sekrit' });
    await expect(out.start([])).rejects.toMatchObject({ code: 'invalid-url' });
    expect(out.stats().url).not.toContain('sekrit');
  });
});
