// WhipOutput's life cycle against a scripted endpoint: every failure after the 201 DELETEs the
// session (RFC 9725 §4.4), errors are typed, a server's garbage is retried as a drop (and only a
// refusal is final), stop() is idempotent and cancels a pending POST.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { WhipOutput } from '../../../../src/main/outputs/whip/whip-output';
import { ConnectError, InputError, InvalidStateError, ProtocolError, TandemError } from '../../../../src/shared/errors';
import { h264ConfigFrom, splitAccessUnits, videoPacket } from './media-source';
import { startScriptedServer, type ScriptedServer, type SeenRequest } from './scripted-server';

const units = splitAccessUnits(readFileSync(new URL('../../../fixtures/whip/testsrc-640x360-90f.h264', import.meta.url)), true).units;
const config = h264ConfigFrom(units[0]!.data, 640, 360, 30);

/** An answer for the offer we got, pointing ICE at a port nobody answers on. */
function deadAnswer(offer: string, opts: { rejectVideo?: boolean } = {}): string {
  let inVideo = false;
  return (
    offer
      .split('\r\n')
      .filter((l) => l && !l.startsWith('a=candidate:') && l !== 'a=end-of-candidates' && l !== 'a=rtcp-mux-only')
      .map((l) => {
        if (l.startsWith('m=')) inVideo = l.startsWith('m=video');
        if (l.startsWith('m=video') && opts.rejectVideo) return l.replace(/^m=video \d+/, 'm=video 0');
        if (l === 'a=sendonly') return inVideo && opts.rejectVideo ? 'a=inactive' : 'a=recvonly';
        if (l === 'a=setup:actpass') return 'a=setup:passive';
        if (l.startsWith('a=ice-ufrag:')) return 'a=ice-ufrag:dead';
        if (l.startsWith('a=ice-pwd:')) return 'a=ice-pwd:deaddeaddeaddeaddeaddead';
        if (l.startsWith('a=msid:') || l.startsWith('a=ssrc:')) return '';
        if (l.startsWith('a=mid:0')) return `${l}\r\na=candidate:1 1 udp 2130706431 127.0.0.1 9 typ host`;
        return l;
      })
      .filter(Boolean)
      .join('\r\n') + '\r\n'
  );
}

let srv: ScriptedServer | undefined;
let out: WhipOutput | undefined;
afterEach(async () => {
  await out?.stop();
  await srv?.close();
  out = undefined;
  srv = undefined;
});

async function failure(p: Promise<unknown>): Promise<TandemError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TandemError);
  return e as TandemError;
}

const created = (req: SeenRequest, answer: string) =>
  req.method === 'POST'
    ? { status: 201, headers: { 'Content-Type': 'application/sdp', Location: '/res/9' }, body: answer }
    : { status: 200 };

describe('WhipOutput failures after the 201 end the session with DELETE', () => {
  it('an answer werift cannot use is a ProtocolError', async () => {
    srv = await startScriptedServer((req) => created(req, 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=bogus\r\n'));
    out = new WhipOutput({ id: 'x', url: `${srv.base}/e`, token: 'tok-secret-1', videoBitrateKbps: 1000, reconnect: { enabled: false } });
    const e = await failure(out.start([config]));
    expect(e).toBeInstanceOf(ProtocolError);
    expect(srv.requests.map((r) => [r.method, r.path, r.headers.authorization])).toEqual([
      ['POST', '/e', 'Bearer tok-secret-1'],
      ['DELETE', '/res/9', 'Bearer tok-secret-1'],
    ]);
    expect(out.stats().state).toBe('failed');
    expect(out.stats().lastError?.code).toBe('protocol-violation');
  });

  it('an answer that rejects the video m-line is a ProtocolError', async () => {
    srv = await startScriptedServer((req) => created(req, deadAnswer(req.body, { rejectVideo: true })));
    out = new WhipOutput({ id: 'x', url: `${srv.base}/e`, videoBitrateKbps: 1000, reconnect: { enabled: false } });
    const e = await failure(out.start([config]));
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toMatch(/H\.264/);
    expect(srv.requests.map((r) => r.method)).toEqual(['POST', 'DELETE']);
  });

  it('ICE/DTLS that never connects is a ConnectError (timeout)', async () => {
    srv = await startScriptedServer((req) => created(req, deadAnswer(req.body)));
    out = new WhipOutput({ id: 'x', url: `${srv.base}/e`, videoBitrateKbps: 1000, connectTimeoutMs: 1500, reconnect: { enabled: false } });
    const e = await failure(out.start([config]));
    expect(e).toBeInstanceOf(ConnectError);
    expect(['connection-timeout', 'connection-refused']).toContain(e.code);
    expect(srv.requests.map((r) => r.method)).toEqual(['POST', 'DELETE']);
  });

  it('garbage from the server is retried as a drop, with the backoff, until it answers well', async () => {
    let posts = 0;
    srv = await startScriptedServer((req) => (req.method === 'POST' && ++posts <= 2 ? created(req, 'v=0\r\nm=bogus\r\n') : { status: 200 }));
    out = new WhipOutput({ id: 'x', url: `${srv.base}/e`, videoBitrateKbps: 1000, reconnect: { firstDelayMs: 100, multiplier: 1, random: () => 0 } });
    const states: [string, number | undefined][] = [];
    out.on('state', (st, d) => states.push([st, d.attempt]));
    void out.start([config]).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 900));
    expect(srv.requests.filter((r) => r.method === 'POST').length).toBeGreaterThanOrEqual(3);
    expect(states.slice(0, 3)).toEqual([['connecting', undefined], ['reconnecting', 1], ['reconnecting', 2]]);
    expect(out.stats().lastError?.code).toBe('protocol-violation');
  });
});

describe('WhipOutput life cycle', () => {
  it('stop() during a pending POST rejects start() with a typed error; stop() is idempotent', async () => {
    srv = await startScriptedServer(() => ({ status: 0, hang: true }));
    out = new WhipOutput({ id: 'x', url: `${srv.base}/e`, videoBitrateKbps: 1000 });
    const states: string[] = [];
    out.on('state', (s) => states.push(s));
    const starting = out.start([config]);
    await new Promise((r) => setTimeout(r, 300));
    await Promise.all([out.stop(), out.stop()]);
    const e = await failure(starting);
    expect(e).toBeInstanceOf(ConnectError);
    expect(e.code).toBe('connection-closed');
    expect(states).toEqual(['connecting', 'stopping', 'stopped']);
    expect(srv.requests.map((r) => r.method)).toEqual(['POST']); // no session, nothing to DELETE
  });

  it('start() needs H.264, and only once; a refusal is final; write() before start is ignored', async () => {
    srv = await startScriptedServer(() => ({ status: 403 }));
    out = new WhipOutput({ id: 'x', url: `${srv.base}/e`, videoBitrateKbps: 1000 });
    out.write(videoPacket(units[0]!, 0));
    expect(out.stats().framesSent).toBe(0);
    await expect(out.start([{ codec: 'opus', sampleRate: 48000, channels: 2 }])).rejects.toBeInstanceOf(InputError);
    await expect(out.start([config])).rejects.toBeInstanceOf(InvalidStateError);
    const out2 = new WhipOutput({ id: 'y', url: `${srv.base}/e`, videoBitrateKbps: 1000 });
    const states: string[] = [];
    out2.on('state', (st) => states.push(st));
    await expect(out2.start([config])).rejects.toMatchObject({ code: 'auth-rejected', status: '403' });
    await new Promise((r) => setTimeout(r, 100));
    expect(states).toEqual(['connecting', 'failed']); // no retry loop on a refusal
    expect(srv.requests.filter((r) => r.method === 'POST').length).toBe(1);
    await out2.stop();
  });

  it('stats name the destination redacted', () => {
    out = new WhipOutput({ id: 'x', url: 'https://whip.example/ep?token=abcdef123456', token: 'abcdef123456', videoBitrateKbps: 1000 });
    const s = out.stats();
    expect(s).toMatchObject({ id: 'x', protocol: 'whip', state: 'idle' });
    expect(JSON.stringify(s)).not.toContain('abcdef123456');
  });
});
