// RFC 9725 client edge cases against a scripted node:http endpoint on 127.0.0.1.
import { afterEach, describe, expect, it } from 'vitest';
import { WhipHttpClient, parseRetryAfter, SDP_TYPE, SDPFRAG_TYPE } from '../../../../src/main/outputs/whip/http';
import { AuthError, ConnectError, InputError, ProtocolError, TandemError } from '../../../../src/shared/errors';
import { ANSWER, startScriptedServer, type ScriptedServer } from './scripted-server';

const TOKEN = 'sekret-token-123456';
const OFFER = 'v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';
const created = (extra: Record<string, string | string[]> = {}) => ({
  status: 201,
  headers: { 'Content-Type': SDP_TYPE, Location: '/whip/resource/abc', ETag: '"e1"', ...extra },
  body: ANSWER,
});

let srv: ScriptedServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

async function rejection(p: Promise<unknown>): Promise<TandemError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TandemError);
    return e as TandemError;
  }
  throw new Error('expected a rejection');
}

describe('WHIP POST (RFC 9725 §4.2)', () => {
  it('posts application/sdp with the Bearer token and resolves Location against the URL', async () => {
    srv = await startScriptedServer(() => created());
    const c = new WhipHttpClient({ url: `${srv.base}/whip/endpoint/e1`, token: TOKEN });
    const s = await c.publish(OFFER);
    expect(s.answer).toBe(ANSWER);
    expect(s.location).toBe(`${srv.base}/whip/resource/abc`);
    expect(s.etag).toBe('"e1"');
    const r = srv.requests[0]!;
    expect(r.method).toBe('POST');
    expect(r.path).toBe('/whip/endpoint/e1');
    expect(r.headers['content-type']).toBe(SDP_TYPE);
    expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(r.body).toBe(OFFER);
  });

  it('omits Authorization entirely without a token (also for an empty token)', async () => {
    srv = await startScriptedServer(() => created());
    await new WhipHttpClient({ url: `${srv.base}/e` }).publish(OFFER);
    await new WhipHttpClient({ url: `${srv.base}/e`, token: '' }).publish(OFFER);
    expect(srv.requests.map((r) => 'authorization' in r.headers)).toEqual([false, false]);
  });

  it('accepts an absolute Location and Content-Type parameters', async () => {
    srv = await startScriptedServer(() => created({ Location: 'http://other.example/res/1', 'Content-Type': 'application/SDP; charset=utf-8' }));
    const s = await new WhipHttpClient({ url: `${srv.base}/e` }).publish(OFFER);
    expect(s.location).toBe('http://other.example/res/1');
  });

  it.each([307, 308])('follows %i keeping method, body and token; Location resolves against the final URL', async (code) => {
    srv = await startScriptedServer((req) =>
      req.path === '/start' ? { status: code, headers: { Location: '/lb/node2/endpoint' } } : created({ Location: 'resource/xyz' }),
    );
    const s = await new WhipHttpClient({ url: `${srv.base}/start`, token: TOKEN }).publish(OFFER);
    expect(srv.requests.map((r) => [r.method, r.path, r.body, r.headers.authorization])).toEqual([
      ['POST', '/start', OFFER, `Bearer ${TOKEN}`],
      ['POST', '/lb/node2/endpoint', OFFER, `Bearer ${TOKEN}`],
    ]);
    expect(s.location).toBe(`${srv.base}/lb/node2/resource/xyz`);
  });

  it('does not follow 302 and gives up after too many redirects', async () => {
    srv = await startScriptedServer(() => ({ status: 302, headers: { Location: '/x' } }));
    const e = await rejection(new WhipHttpClient({ url: `${srv.base}/e` }).publish(OFFER));
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.status).toBe('302');
    srv.setHandler(() => ({ status: 307, headers: { Location: '/loop' } }));
    const e2 = await rejection(new WhipHttpClient({ url: `${srv.base}/e`, maxRedirects: 3 }).publish(OFFER));
    expect(e2.message).toMatch(/too many redirects/);
    expect(srv.requests.length).toBe(1 + 4);
  });

  it('honours 503 + Retry-After (bounded) then succeeds', async () => {
    srv = await startScriptedServer((_r, i) => (i === 0 ? { status: 503, headers: { 'Retry-After': '1' } } : created()));
    const t0 = Date.now();
    await new WhipHttpClient({ url: `${srv.base}/e` }).publish(OFFER);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(srv.requests.length).toBe(2);
  });

  it('gives up on a Retry-After beyond the bound, or 503 without one', async () => {
    srv = await startScriptedServer(() => ({ status: 503, headers: { 'Retry-After': '120' } }));
    const e = await rejection(new WhipHttpClient({ url: `${srv.base}/e`, maxRetryAfterMs: 5000 }).publish(OFFER));
    expect(e).toBeInstanceOf(ConnectError);
    expect(e.code).toBe('server-unavailable');
    expect(e.message).toMatch(/503/);
    expect(srv.requests.length).toBe(1);
    srv.setHandler(() => ({ status: 503 }));
    await rejection(new WhipHttpClient({ url: `${srv.base}/e` }).publish(OFFER));
    expect(srv.requests.length).toBe(2);
  });

  it('stops retrying 503 after maxRetries', async () => {
    srv = await startScriptedServer(() => ({ status: 503, headers: { 'Retry-After': '0' } }));
    const e = await rejection(new WhipHttpClient({ url: `${srv.base}/e`, maxRetries: 2 }).publish(OFFER));
    expect(e.code).toBe('server-unavailable');
    expect(srv.requests.length).toBe(3);
  });

  it.each([401, 403])('%i is an AuthError naming the status, never the token', async (code) => {
    srv = await startScriptedServer(() => ({ status: code, headers: { 'Content-Type': 'text/plain' }, body: `bad token ${TOKEN}` }));
    const url = `${srv.base}/e?key=${TOKEN}`;
    const e = await rejection(new WhipHttpClient({ url, token: TOKEN }).publish(OFFER));
    expect(e).toBeInstanceOf(AuthError);
    expect(e.code).toBe('auth-rejected');
    expect(e.message).toContain(String(code));
    expect(e.status).toBe(String(code));
    expect(e.message).not.toContain(TOKEN);
    expect(JSON.stringify(e.toInfo())).not.toContain(TOKEN);
    expect(e.message).toContain('127.0.0.1');
  });

  it('shows problem+json title and detail', async () => {
    srv = await startScriptedServer(() => ({
      status: 422,
      headers: { 'Content-Type': 'application/problem+json' },
      body: JSON.stringify({ type: 'about:blank', title: 'Unsupported codec', detail: 'H.265 is not allowed here' }),
    }));
    const e = await rejection(new WhipHttpClient({ url: `${srv.base}/e` }).publish(OFFER));
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toContain('Unsupported codec: H.265 is not allowed here');
    expect(e.message).toContain('422');
  });

  it.each([
    [404, ConnectError, 'not-found'],
    [409, AuthError, 'stream-busy'],
    [400, ProtocolError, 'protocol-violation'],
    [500, ConnectError, 'server-error'],
    [502, ConnectError, 'server-error'],
    [599, ConnectError, 'server-error'],
    [200, ProtocolError, 'protocol-violation'],
    [204, ProtocolError, 'protocol-violation'],
  ] as const)('judges %i by its class', async (code, type, errCode) => {
    srv = await startScriptedServer(() => ({ status: code, headers: { 'Content-Type': SDP_TYPE, Location: '/r' }, body: code === 204 ? '' : ANSWER }));
    const e = await rejection(new WhipHttpClient({ url: `${srv.base}/e` }).publish(OFFER));
    expect(e).toBeInstanceOf(type);
    expect(e.code).toBe(errCode);
    expect(e.status).toBe(String(code));
  });

  it('a 200 that still names a session gets a DELETE before the ProtocolError', async () => {
    srv = await startScriptedServer((req) =>
      req.method === 'POST' ? { status: 200, headers: { 'Content-Type': SDP_TYPE, Location: '/r/7' }, body: ANSWER } : { status: 200 },
    );
    const e = await rejection(new WhipHttpClient({ url: `${srv.base}/e` }).publish(OFFER));
    expect(e.message).toMatch(/expected 201/);
    expect(srv.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /e', 'DELETE /r/7']);
  });

  it('201 without Location is a ProtocolError', async () => {
    srv = await startScriptedServer(() => ({ status: 201, headers: { 'Content-Type': SDP_TYPE }, body: ANSWER }));
    const e = await rejection(new WhipHttpClient({ url: `${srv.base}/e` }).publish(OFFER));
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toMatch(/Location/);
  });

  it('201 with a non-SDP body is a ProtocolError, and the created session is DELETEd', async () => {
    srv = await startScriptedServer((req) =>
      req.method === 'POST' ? { status: 201, headers: { 'Content-Type': 'text/html', Location: '/r/1' }, body: '<html>' } : { status: 200 },
    );
    const e = await rejection(new WhipHttpClient({ url: `${srv.base}/e`, token: TOKEN }).publish(OFFER));
    expect(e).toBeInstanceOf(ProtocolError);
    expect(srv.requests.map((r) => [r.method, r.path, r.headers.authorization])).toEqual([
      ['POST', '/e', `Bearer ${TOKEN}`],
      ['DELETE', '/r/1', `Bearer ${TOKEN}`],
    ]);
  });

  it('parses Link ice-servers (STUN, TURN with credentials) and ignores unknown extensions', async () => {
    srv = await startScriptedServer(() =>
      created({
        Link: [
          '<stun:stun.example.net>; rel="ice-server"',
          '<turn:turn.example.net?transport=udp>; rel="ice-server"; username="user"; credential="p,a;ss"; credential-type="password"',
          '<https://example.net/sse>; rel="urn:ietf:params:whip:ext:example:server-sent-events"; events="active"',
        ],
      }),
    );
    const s = await new WhipHttpClient({ url: `${srv.base}/e` }).publish(OFFER);
    expect(s.iceServers).toEqual([
      { urls: 'stun:stun.example.net' },
      { urls: 'turn:turn.example.net?transport=udp', username: 'user', credential: 'p,a;ss' },
    ]);
    expect([...s.extensions.keys()]).toEqual(['urn:ietf:params:whip:ext:example:server-sent-events']);
  });

  it.each(['ftp://h/e', 'not a url', 'https://user:pw-secret@h/e'])('rejects the endpoint URL %s as invalid-url, before any request', async (url) => {
    const e = await rejection(new WhipHttpClient({ url }).publish(OFFER));
    expect(e).toBeInstanceOf(InputError);
    expect(e.code).toBe('invalid-url');
    expect(e.message).not.toContain('pw-secret');
  });

  it('maps connection refused to a ConnectError naming the redacted URL', async () => {
    srv = await startScriptedServer(() => created());
    const dead = srv.base;
    await srv.close();
    srv = undefined;
    const e = await rejection(new WhipHttpClient({ url: `${dead}/e?token=${TOKEN}` }).publish(OFFER));
    expect(e).toBeInstanceOf(ConnectError);
    expect(e.code).toBe('connection-refused');
    expect(e.message).not.toContain(TOKEN);
  });

  it('times out a hanging request', async () => {
    srv = await startScriptedServer(() => ({ status: 0, hang: true }));
    const e = await rejection(new WhipHttpClient({ url: `${srv.base}/e`, timeoutMs: 300 }).publish(OFFER));
    expect(e.code).toBe('connection-timeout');
  });

  it('close() rejects a pending request with a typed error, idempotently', async () => {
    srv = await startScriptedServer(() => ({ status: 0, hang: true }));
    const c = new WhipHttpClient({ url: `${srv.base}/e` });
    const p = c.publish(OFFER);
    await new Promise((r) => setTimeout(r, 100));
    c.close();
    c.close();
    const e = await rejection(p);
    expect(e).toBeInstanceOf(ConnectError);
    expect(e.code).toBe('connection-closed');
  });

  it('close() also cancels a Retry-After wait', async () => {
    srv = await startScriptedServer(() => ({ status: 503, headers: { 'Retry-After': '5' } }));
    const c = new WhipHttpClient({ url: `${srv.base}/e` });
    const p = c.publish(OFFER);
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    c.close();
    const e = await rejection(p);
    expect(e.code).toBe('connection-closed');
    expect(Date.now() - t0).toBeLessThan(500);
  });
});

describe('WHIP trickle PATCH (RFC 9725 §4.3.1, RFC 8840)', () => {
  const FRAG = 'a=ice-ufrag:abcd\r\na=ice-pwd:xyz\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=candidate:1 1 udp 1 127.0.0.1 5000 typ host\r\n';

  async function session(handler: (method: string) => { status: number; headers?: Record<string, string>; body?: string }) {
    srv = await startScriptedServer((req) => (req.method === 'POST' ? created() : handler(req.method)));
    const c = new WhipHttpClient({ url: `${srv.base}/e`, token: TOKEN });
    await c.publish(OFFER);
    return c;
  }

  it('PATCHes the sdpfrag with If-Match: <ETag> and token to the session URL; 204 = sent', async () => {
    const c = await session(() => ({ status: 204 }));
    expect(await c.trickle(FRAG)).toBe('sent');
    const r = srv!.requests[1]!;
    expect([r.method, r.path, r.headers['content-type'], r.headers['if-match'], r.headers.authorization, r.body]).toEqual([
      'PATCH',
      '/whip/resource/abc',
      SDPFRAG_TYPE,
      '"e1"',
      `Bearer ${TOKEN}`,
      FRAG,
    ]);
  });

  it.each([405, 501])('%i means no trickle support', async (code) => {
    const c = await session(() => ({ status: code }));
    expect(await c.trickle(FRAG)).toBe('unsupported');
  });

  it.each([
    [412, /stale/],
    [428, /requires an ETag/],
  ])('%i is a ProtocolError about the ETag', async (code, re) => {
    const c = await session(() => ({ status: code }));
    const e = await rejection(c.trickle(FRAG));
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toMatch(re);
  });

  it('without an ETag in the 201, sends no If-Match', async () => {
    srv = await startScriptedServer((req) =>
      req.method === 'POST' ? { status: 201, headers: { 'Content-Type': SDP_TYPE, Location: '/r' }, body: ANSWER } : { status: 204 },
    );
    const c = new WhipHttpClient({ url: `${srv.base}/e` });
    await c.publish(OFFER);
    await c.trickle(FRAG);
    expect('if-match' in srv.requests[1]!.headers).toBe(false);
  });

  it('trickle before the 201 is an error', async () => {
    const c = new WhipHttpClient({ url: 'http://127.0.0.1:9/e' });
    await expect(c.trickle(FRAG)).rejects.toBeInstanceOf(ProtocolError);
  });
});

describe('WHIP ICE restart (RFC 9725 §4.3.2)', () => {
  const RESTART = 'a=ice-ufrag:new1\r\na=ice-pwd:newpassword\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n';
  const ANSFRAG = 'a=ice-ufrag:srv2\r\na=ice-pwd:serverpassword2\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=candidate:1 1 udp 1 127.0.0.1 6000 typ host\r\n';

  it('PATCHes with If-Match: "*", expects 200 + sdpfrag + new ETag, which later trickles use', async () => {
    srv = await startScriptedServer((req, i) => {
      if (req.method === 'POST') return created();
      if (i === 1) return { status: 200, headers: { 'Content-Type': SDPFRAG_TYPE, ETag: '"e2"' }, body: ANSFRAG };
      return { status: 204 };
    });
    const c = new WhipHttpClient({ url: `${srv.base}/e`, token: TOKEN });
    await c.publish(OFFER);
    const r = await c.restartIce(RESTART);
    expect(r).toEqual({ fragment: ANSFRAG, etag: '"e2"' });
    expect(srv.requests[1]!.headers['if-match']).toBe('"*"');
    expect(srv.requests[1]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    await c.trickle('a=end-of-candidates\r\n');
    expect(srv.requests[2]!.headers['if-match']).toBe('"e2"');
  });

  it('a failed restart keeps the old session and ETag', async () => {
    srv = await startScriptedServer((req, i) => {
      if (req.method === 'POST') return created();
      if (i === 1) return { status: 400 };
      if (i === 2) return { status: 200, headers: { 'Content-Type': 'text/plain' }, body: 'ok' };
      return { status: 204 };
    });
    const c = new WhipHttpClient({ url: `${srv.base}/e` });
    await c.publish(OFFER);
    await expect(c.restartIce(RESTART)).rejects.toBeInstanceOf(ProtocolError);
    await expect(c.restartIce(RESTART)).rejects.toThrow(/sdpfrag/);
    expect(c.etag).toBe('"e1"');
    expect(c.location).toBe(`${srv.base}/whip/resource/abc`);
    await c.trickle('a=end-of-candidates\r\n');
    expect(srv.requests[3]!.headers['if-match']).toBe('"e1"');
  });
});

describe('WHIP DELETE (RFC 9725 §4.4)', () => {
  it('DELETEs the session URL with the token and without If-Match, once', async () => {
    srv = await startScriptedServer((req) => (req.method === 'POST' ? created() : { status: 200 }));
    const c = new WhipHttpClient({ url: `${srv.base}/e`, token: TOKEN });
    await c.publish(OFFER);
    await c.delete();
    await c.delete();
    expect(srv.requests.length).toBe(2);
    const d = srv.requests[1]!;
    expect([d.method, d.path, d.headers.authorization, 'if-match' in d.headers]).toEqual(['DELETE', '/whip/resource/abc', `Bearer ${TOKEN}`, false]);
  });

  it('DELETE still goes out after close() (the goodbye must not be lost)', async () => {
    srv = await startScriptedServer((req) => (req.method === 'POST' ? created() : { status: 204 }));
    const c = new WhipHttpClient({ url: `${srv.base}/e` });
    await c.publish(OFFER);
    c.close();
    await c.delete();
    expect(srv.requests.map((r) => r.method)).toEqual(['POST', 'DELETE']);
  });

  it('a DELETE error is typed; 404 counts as gone', async () => {
    srv = await startScriptedServer((req) => (req.method === 'POST' ? created() : { status: 500 }));
    const c = new WhipHttpClient({ url: `${srv.base}/e` });
    await c.publish(OFFER);
    await expect(c.delete()).rejects.toBeInstanceOf(ConnectError);
    srv.setHandler((req) => (req.method === 'POST' ? created() : { status: 404 }));
    const c2 = new WhipHttpClient({ url: `${srv.base}/e` });
    await c2.publish(OFFER);
    await expect(c2.delete()).resolves.toBeUndefined();
  });
});

describe('parseRetryAfter (RFC 9110 §10.2.3)', () => {
  it('reads seconds and HTTP-dates', () => {
    expect(parseRetryAfter('3', 0)).toBe(3000);
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter(null, 0)).toBeUndefined();
  });
});
