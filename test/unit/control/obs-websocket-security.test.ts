// Who may reach the obs-websocket endpoint: loopback unless LAN (which needs a password), no
// foreign browser pages, and wrong passwords cost more time after the tenth in a row.
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rawClient, startRig, wire, type RawClient, type Rig } from '../../helpers/obs-websocket';
import { ObsWebSocketService } from '../../../src/main/control/obs-websocket';
import { Studio } from '../../../src/main/studio/studio';

const PASSWORD = 'hunter2-but-longer';
const b64sha = (s: string) => createHash('sha256').update(s).digest('base64');

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

/** Connects, waits for Hello (timing it), answers with `password`; resolves with the close code or 'identified'. */
async function attempt(url: string, password: string): Promise<{ helloMs: number; outcome: number | 'identified'; c: RawClient }> {
  const t0 = performance.now();
  const c = await rawClient(url);
  const hello = await c.next(0);
  const helloMs = performance.now() - t0;
  const a = hello.d.authentication as { salt: string; challenge: string };
  c.send({ op: 1, d: { rpcVersion: 1, authentication: b64sha(b64sha(password + a.salt) + a.challenge) } });
  const outcome = await Promise.race([c.closed.then((x) => x.code), c.next(2).then(() => 'identified' as const)]);
  return { helloMs, outcome, c };
}

function listening(port: number): string[] {
  const out = execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean).map((l) => l.trim().split(/\s+/)[3] ?? '');
}

describe('obs-websocket: where it listens', () => {
  it('binds 127.0.0.1 only when LAN is off', async () => {
    rig = await startRig();
    expect(rig.server.host).toBe('127.0.0.1');
    expect(listening(rig.server.port)).toEqual([`127.0.0.1:${rig.server.port}`]);
  });

  it('LAN needs a password, and then binds every interface', async () => {
    await expect(startRig({ lan: true })).rejects.toMatchObject({ code: 'invalid-argument', message: expect.stringContaining('password') });
    rig = await startRig({ lan: true, password: PASSWORD });
    expect(listening(rig.server.port)).toEqual([`0.0.0.0:${rig.server.port}`]);
    expect(rig.server.authRequired).toBe(true);
  });

  it('a busy port is a clear error', async () => {
    rig = await startRig();
    await expect(startRig({ port: rig.server.port })).rejects.toMatchObject({ message: `port ${rig.server.port} is already in use` });
  });
});

describe('obs-websocket: the service the engine holds', () => {
  it('is off until applied, restarts on a new configuration, stops, and its status never holds the password', async () => {
    const studio = new Studio({ mode: 'headless' });
    const service = new ObsWebSocketService(studio);
    expect(service.status()).toEqual({ running: false, authRequired: false, clients: [] });
    await expect(service.apply({ enabled: true, port: 0, lan: true })).rejects.toMatchObject({ code: 'invalid-argument' });
    expect(service.status()).toMatchObject({ running: false, error: expect.stringContaining('password') });
    const on = await service.apply({ enabled: true, port: 0, password: PASSWORD });
    expect(on).toMatchObject({ running: true, host: '127.0.0.1', authRequired: true });
    const c = await rawClient(`ws://127.0.0.1:${on.port}`);
    expect((await c.next(0)).d.authentication).toBeDefined();
    const open = await service.apply({ enabled: true, port: 0 });
    expect((await c.closed).code).toBe(1001); // restarted: clients reconnect
    expect(open.authRequired).toBe(false);
    expect(JSON.stringify(service.status())).not.toContain(PASSWORD);
    expect(await service.apply({ enabled: false })).toEqual({ running: false, authRequired: false, clients: [] });
    await expect(rawClient(`ws://127.0.0.1:${open.port}`)).rejects.toThrow();
    await service.shutdown();
    await studio.close();
  });
});

describe('obs-websocket: browser pages', () => {
  it('refuses a foreign Origin (403) and accepts no Origin or a listed one', async () => {
    rig = await startRig({ allowedOrigins: ['http://localhost:8000'] });
    await expect(rawClient(rig.url, { origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(rawClient(rig.url, { origin: 'null' })).rejects.toThrow('HTTP 403');
    const native = await rawClient(rig.url);
    expect((await native.next(0)).op).toBe(0);
    const listed = await rawClient(rig.url, { origin: 'http://localhost:8000' });
    expect((await listed.next(0)).op).toBe(0);
    native.ws.close();
    listed.ws.close();
  });

  it('caps connections that have not identified, per address (429)', async () => {
    rig = await startRig();
    const open = await Promise.all(Array.from({ length: 16 }, () => rawClient(rig?.url ?? '')));
    await expect(rawClient(rig.url)).rejects.toThrow('HTTP 429');
    for (const c of open) c.ws.close();
  });
});

describe('obs-websocket: failed-authentication throttle', () => {
  it('after 10 wrong passwords in a row, the next Hello waits 1 s (default)', async () => {
    rig = await startRig({ password: PASSWORD });
    const free: number[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await attempt(rig.url, `wrong-${i}`);
      expect(r.outcome).toBe(4009);
      free.push(r.helloMs);
    }
    const slowed = await attempt(rig.url, 'wrong-10');
    expect(slowed.outcome).toBe(4009);
    console.log(`[throttle] Hello after 0-9 failures: max ${Math.max(...free).toFixed(0)} ms; after 10: ${slowed.helloMs.toFixed(0)} ms`);
    expect(Math.max(...free)).toBeLessThan(300);
    expect(slowed.helloMs).toBeGreaterThanOrEqual(950);
  });

  it('parallel attempts queue one per delay; the right password resets the count', async () => {
    rig = await startRig({ password: PASSWORD, throttle: { baseDelayMs: 150 } });
    for (let i = 0; i < 10; i++) expect((await attempt(rig.url, 'nope')).outcome).toBe(4009);
    // Three at once after the 10th failure: Hellos at ~150, ~300, ~450 ms, not all at 150.
    const parallel = await Promise.all([0, 1, 2].map(() => attempt(rig?.url ?? '', 'nope')));
    const times = parallel.map((p) => p.helloMs).sort((a, b) => a - b);
    console.log(`[throttle] 3 parallel attempts, Hello after: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
    expect(times[0]).toBeGreaterThanOrEqual(140);
    expect(times[1]).toBeGreaterThanOrEqual(290);
    expect(times[2]).toBeGreaterThanOrEqual(440);
    // 13 failures: the next wait is 150 × 2³ = 1.2 s, and the right password still works.
    const right = await attempt(rig.url, PASSWORD);
    expect(right.outcome).toBe('identified');
    expect(right.helloMs).toBeGreaterThanOrEqual(1100);
    right.c.ws.close();
    const after = await attempt(rig.url, PASSWORD);
    expect(after.outcome).toBe('identified');
    expect(after.helloMs).toBeLessThan(300);
    after.c.ws.close();
    console.log(`[throttle] right password after 13 failures: Hello after ${right.helloMs.toFixed(0)} ms; next connection ${after.helloMs.toFixed(0)} ms`);
  });

  it('never puts the password on the wire', () => {
    expect(wire.length).toBeGreaterThan(30);
    for (const text of wire) expect(text).not.toContain(PASSWORD);
  });
});
