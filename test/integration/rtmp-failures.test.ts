// RTMPS through stunnel, reconnect after the server dies, and the errors a user must understand.
import { afterEach, describe, expect, it } from 'vitest';
import { RtmpOutput } from '../../src/main/outputs/rtmp/rtmp-output';
import type { TandemError } from '../../src/shared/errors';
import type { OutputState } from '../../src/shared/stats';
import { startNginxRtmp } from '../peers/nginx';
import { countFrames } from '../peers/ffprobe';
import { freePort, sleep } from '../peers/ports';
import { sharedPeers, uniqueKey } from '../peers/shared';
import { startStunnel } from '../peers/stunnel';
import { startTestSource } from './rtmp-source';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function rejection(p: Promise<unknown>): Promise<TandemError> {
  try {
    await p;
  } catch (e) {
    return e as TandemError;
  }
  throw new Error('expected a rejection');
}

const waitFor = async (cond: () => boolean, ms: number): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(50);
  }
};

describe('RTMPS via stunnel (self-signed certificate)', () => {
  it('succeeds with the explicit opt-out and fails with a certificate error without it', async () => {
    const peers = sharedPeers();
    const tunnel = await startStunnel({ targetPort: peers.nginx.rtmpPort });
    cleanups.push(() => tunnel.stop());
    const src = startTestSource({ seconds: 4 });
    cleanups.push(() => src.stop());
    const configs = await src.configs;

    const key = uniqueKey('rtmps');
    const strict = new RtmpOutput({ id: 'strict', url: tunnel.url('live', `${key}-strict`) });
    cleanups.push(() => strict.stop());
    const err = await rejection(strict.start(configs));
    expect(err.code).toBe('tls-certificate');
    expect(err.message).toMatch(/certificate is not trusted/);
    expect(err.message).not.toContain(key);
    expect(strict.stats().state).toBe('failed');

    const lab = new RtmpOutput({ id: 'lab', url: tunnel.url('live', key), verifyCertificate: false });
    cleanups.push(() => lab.stop());
    expect(lab.protocol).toBe('rtmps');
    src.feed(lab);
    await lab.start(configs);
    await sleep(2500);
    const stat = await peers.nginx.streamStat(key);
    expect(stat?.publishing).toBe(true);
    expect(stat?.video).toMatchObject({ width: 1280, height: 720 });
    expect(lab.stats()).toMatchObject({ state: 'live', protocol: 'rtmps' });
    expect(lab.stats().framesDropped).toBeLessThanOrEqual(60); // only frames before the first keyframe
    expect(lab.stats().framesSent).toBeGreaterThan(20);
  });
});

describe('reconnect', () => {
  it('kill nginx mid-stream and restart it: reconnecting with backoff, then live and readable again', async () => {
    const nginx = await startNginxRtmp();
    cleanups.push(() => nginx.stop());
    const src = startTestSource({ seconds: 25 });
    cleanups.push(() => src.stop());
    const configs = await src.configs;
    const key = uniqueKey('reconnect');
    const out = new RtmpOutput({ id: 'r', url: nginx.url('live', key), connectTimeoutMs: 3000 });
    cleanups.push(() => out.stop());
    const states: [OutputState, number | undefined, number | undefined][] = [];
    const drops: TandemError[] = [];
    const errors: TandemError[] = [];
    out.on('state', (s, d) => {
      states.push([s, d.attempt, d.delayMs]);
      if (d.error) drops.push(d.error);
    });
    out.on('error', (e) => errors.push(e));
    src.feed(out);
    await out.start(configs);
    await sleep(3000);
    await nginx.kill();
    await waitFor(() => states.some(([s]) => s === 'reconnecting'), 5000);
    const killedAt = Date.now();
    expect(drops[0]?.code).toBe('connection-closed');
    expect(drops[0]?.message).toMatch(/disconnected mid-stream/);
    expect(drops[0]?.message).not.toContain(key);
    expect(out.stats().reconnectInSec).toBeGreaterThan(0);
    await sleep(2500); // the first retry (≈2 s) hits a dead server: the next delay grows ×1.5
    await nginx.start();
    await waitFor(() => out.stats().state === 'live', 10_000);
    const backAfter = Date.now() - killedAt;
    const reconnecting = states.filter(([s]) => s === 'reconnecting');
    expect(reconnecting.length).toBeGreaterThanOrEqual(2);
    const [, a1, d1] = reconnecting[0]!;
    const [, a2, d2] = reconnecting[1]!;
    expect(a1).toBe(1);
    expect(d1).toBeGreaterThanOrEqual(2000);
    expect(d1).toBeLessThanOrEqual(2100);
    expect(a2).toBe(2);
    expect(d2).toBeGreaterThanOrEqual(3000);
    expect(d2).toBeLessThanOrEqual(3150);
    expect(out.stats().reconnects).toBe(1);
    expect(errors).toEqual([]); // a drop is a state, never the terminal 'error'
    const read = await countFrames(nginx.url('live', key), { timeoutMs: 15_000, durationMs: 4000 });
    console.log(JSON.stringify({ states, backAfterMs: backAfter, stats: out.stats(), readAfterReconnect: { frames: read.frames, sizes: read.sizes, audio: read.audioFrames } }));
    expect(read.frames).toBeGreaterThanOrEqual(60);
    expect(read.sizes).toEqual(['1280x720']);
  });
});

describe('errors', () => {
  it('an application with `deny publish all`: a clear rejected-key error, no retry storm', async () => {
    const peers = sharedPeers();
    const key = uniqueKey('denied-SECRET');
    const out = new RtmpOutput({ id: 'deny', url: peers.nginx.url(key, peers.nginx.denyApp) });
    cleanups.push(() => out.stop());
    const states: OutputState[] = [];
    out.on('state', (s) => states.push(s));
    const err = await rejection(out.start([]));
    expect(err.name).toBe('AuthError');
    expect(err.code).toBe('auth-rejected');
    expect(err.message).toMatch(/rejected|not permitted/);
    expect(err.message).toContain(`/${peers.nginx.denyApp}/****`);
    expect(err.message).not.toContain('SECRET');
    await sleep(3000);
    expect(states).toEqual(['connecting', 'failed']);
  });

  it('refused connection and DNS failure on the first connect: clear errors, then retried with the backoff', async () => {
    const port = await freePort();
    const refused = new RtmpOutput({ id: 'x', url: `rtmp://127.0.0.1:${port}/live/k3yk3yk3y` });
    const dns = new RtmpOutput({ id: 'y', url: 'rtmp://no-such-host.invalid/live/k3yk3yk3y' });
    const seen = new Map<string, [OutputState, number | undefined, number | undefined, TandemError | undefined][]>();
    for (const o of [refused, dns]) {
      seen.set(o.id, []);
      o.on('state', (st, d) => seen.get(o.id)!.push([st, d.attempt, d.delayMs, d.error]));
      void o.start([]).catch(() => undefined);
    }
    await waitFor(() => [...seen.values()].every((l) => l.some(([st]) => st === 'reconnecting')), 10_000);
    const r = seen.get('x')!.find(([st]) => st === 'reconnecting')!;
    expect([r[1], r[3]?.code, r[3]?.message]).toEqual([1, 'connection-refused', `rtmp://127.0.0.1:${port}/live/****: connection refused (is the server running, and is the port right?)`]);
    expect(r[2]).toBeGreaterThanOrEqual(2000);
    expect(refused.stats().reconnectInSec).toBeGreaterThan(0);
    const d = seen.get('y')!.find(([st]) => st === 'reconnecting')!;
    expect(d[3]?.code).toBe('dns-failed');
    await Promise.all([refused.stop(), dns.stop()]);
    expect([refused.state, dns.state]).toEqual(['stopped', 'stopped']);
  });

  it('a server that accepts TCP but never answers: a timeout within the connect timeout, retried; stop during the wait ends it', async () => {
    const net = await import('node:net');
    const conns: import('node:net').Socket[] = [];
    const silent = net.createServer((c) => conns.push(c));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => (conns.forEach((c) => c.destroy()), silent.close(() => r()))));
    const port = (silent.address() as { port: number }).port;
    const once = new RtmpOutput({ id: 't', url: `rtmp://127.0.0.1:${port}/live/k3yk3yk3y`, connectTimeoutMs: 1500, reconnect: { enabled: false } });
    const t0 = Date.now();
    const e = await rejection(once.start([]));
    expect(e.code).toBe('connection-timeout');
    expect(Date.now() - t0).toBeLessThan(4000);
    await once.stop();

    const out = new RtmpOutput({ id: 't2', url: `rtmp://127.0.0.1:${port}/live/k3yk3yk3y`, connectTimeoutMs: 800, reconnect: { firstDelayMs: 400, random: () => 0 } });
    const before = conns.length;
    void out.start([]).catch(() => undefined);
    await waitFor(() => conns.length >= before + 2, 8000); // first attempt, then the retry after 400 ms
    await waitFor(() => out.state === 'reconnecting' && (out.stats().reconnectInSec ?? 0) > 0, 8000);
    await out.stop();
    const after = conns.length;
    await sleep(1500);
    expect(conns.length).toBe(after); // nothing connects after stop()
    expect(out.state).toBe('stopped');
  });
});
