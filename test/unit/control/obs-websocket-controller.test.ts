// The obs-websocket endpoint as the engine runs it: off until Settings turn it on, the password
// kept in the secret store (never in settings.json or the state), regenerated on request, the
// command line's flags for `tandem serve`, connected clients for the Settings dialog, and
// ExitStarted when the engine stops.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rawClient, TappedOBS, wire } from '../../helpers/obs-websocket';
import { ObsWebSocketController, connectUrls } from '../../../src/main/control/obs-websocket';
import { Studio } from '../../../src/main/studio/studio';
import { EncryptedFileSecretStore } from '../../../src/main/studio/secret-store';
import { OBS_WEBSOCKET_SECRET_ID, newPassword } from '../../../src/main/studio/remote-control';
import { parseServeFlags } from '../../../src/main/cli/start';
import { freePort } from '../../peers/ports';

const code = (p: Promise<unknown>) => p.then(() => 'resolved', (e: { code?: number }) => ({ code: e.code }));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function engine(opts: ConstructorParameters<typeof Studio>[0] = { mode: 'headless' }): Promise<{ studio: Studio; obs: ObsWebSocketController }> {
  const studio = new Studio(opts);
  await studio.load();
  const obs = new ObsWebSocketController(studio);
  await obs.start();
  cleanups.push(async () => {
    await obs.shutdown();
    await studio.close();
  });
  return { studio, obs };
}

async function client(url: string, password?: string): Promise<TappedOBS> {
  const c = new TappedOBS();
  await c.connect(url, password);
  cleanups.push(() => c.disconnect());
  return c;
}

/** Until the status says `running` (the controller applies settings asynchronously). */
async function running(studio: Studio, want = true): Promise<ReturnType<Studio['getObsWebSocket']>> {
  for (let i = 0; i < 200; i++) {
    const s = studio.getObsWebSocket();
    if (s.running === want && (!want || s.port !== undefined)) return s;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`obs-websocket never became ${want ? 'running' : 'stopped'}: ${JSON.stringify(studio.getObsWebSocket())}`);
}

describe('obs-websocket in the engine', () => {
  it('is off by default; Settings turn it on with a stored password; regenerating it locks the old one out', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tandem-obsws-'));
    const { studio } = await engine({ mode: 'browser', dataDir, secrets: new EncryptedFileSecretStore(dataDir) });
    expect(studio.getSettings().obsWebSocket).toEqual({ enabled: false, port: 4455, lan: false, auth: true });
    expect(studio.getObsWebSocket()).toEqual({ enabled: false, running: false, urls: [], authRequired: false, clients: [], commandLine: false });

    const port = await freePort(); // a real port, so the settings validate and are saved
    studio.updateSettings({ obsWebSocket: { enabled: true, port, lan: false, auth: true } });
    const on = await running(studio);
    expect(on).toMatchObject({ enabled: true, host: '127.0.0.1', authRequired: true, urls: [`ws://127.0.0.1:${on.port}`] });
    const url = on.urls[0] ?? '';
    const { password } = await studio.getObsWebSocketPassword();
    expect(password).toMatch(/^[A-Za-z2-9]{20}$/);
    expect((await studio.getObsWebSocketPassword()).password).toBe(password); // stable
    const obs = await client(url, password);
    expect(studio.getObsWebSocket().clients).toMatchObject([{ address: '127.0.0.1', rpcVersion: 1 }]);

    const closed = new Promise<number>((r) => obs.once('ConnectionClosed', (e) => r(e.code)));
    const fresh = (await studio.regenerateObsWebSocketPassword()).password;
    expect(fresh).not.toBe(password);
    expect(await closed).toBe(1001); // restarted with the new password
    let back = await running(studio);
    for (let i = 0; i < 100 && (await code(rawClient(back.urls[0] ?? ''))) !== 'resolved'; i++) back = await running(studio); // until it listens again
    expect(await code(client(back.urls[0] ?? '', password))).toMatchObject({ code: 4009 });
    await client(back.urls[0] ?? '', fresh);

    // The password is in the secret store only: not in the state, settings.json, or the status.
    await studio.close();
    const files = readdirSync(dataDir).map((f) => readFileSync(join(dataDir, f), 'utf8'));
    expect(files.join('\n')).toContain('"obsWebSocket"');
    for (const text of [...files, JSON.stringify(studio.getState()), JSON.stringify(studio.getObsWebSocket())]) {
      expect(text).not.toContain(fresh);
      expect(text).not.toContain(password);
    }
    expect(await new EncryptedFileSecretStore(dataDir).get(OBS_WEBSOCKET_SECRET_ID)).toBe(fresh);
  });

  it('follows Settings while live-safe: off, no password, a busy port reported; LAN forces the password', async () => {
    const { studio } = await engine();
    studio.updateSettings({ obsWebSocket: { enabled: true, port: 0, lan: false, auth: false } });
    const open = await running(studio);
    expect(open.authRequired).toBe(false);
    await client(open.urls[0] ?? '');
    studio.updateSettings({ obsWebSocket: { enabled: true, port: 0, lan: true, auth: false } }); // the dialog refuses this; the engine still asks for a password
    await expect.poll(() => studio.getObsWebSocket().authRequired).toBe(true);
    expect((await running(studio)).host).toBe('0.0.0.0');
    const busy = (await running(studio)).port ?? 0;
    const other = await engine();
    other.studio.updateSettings({ obsWebSocket: { enabled: true, port: busy, lan: false, auth: true } });
    await expect.poll(() => other.studio.getObsWebSocket().error).toBe(`port ${busy} is already in use`);
    expect(other.studio.getObsWebSocket().running).toBe(false);
    studio.updateSettings({ obsWebSocket: { enabled: false, port: 4455, lan: false, auth: true } });
    await running(studio, false);
  });

  it('lists clients and disconnects one on request (SessionInvalidated, 4011)', async () => {
    const { studio } = await engine();
    studio.updateSettings({ obsWebSocket: { enabled: true, port: 0, lan: false, auth: false } });
    const url = (await running(studio)).urls[0] ?? '';
    const obs = await client(url);
    const [c] = studio.getObsWebSocket().clients;
    const closed = new Promise<number>((r) => obs.once('ConnectionClosed', (e) => r(e.code)));
    expect(studio.disconnectObsWebSocketClient({ id: c?.id ?? '' })).toBeNull();
    expect(await closed).toBe(4011);
    expect(() => studio.disconnectObsWebSocketClient({ id: 'nobody' })).toThrow(/no such obs-websocket client/);
  });

  it('the command line fixes the run: on, its port and password; Settings and regenerate do not change it', async () => {
    const password = newPassword();
    const { studio } = await engine({ mode: 'headless', obsWebSocket: { port: 0, password } });
    const st = await running(studio);
    expect(st).toMatchObject({ enabled: true, commandLine: true, authRequired: true });
    expect(studio.getSettings().obsWebSocket.enabled).toBe(false); // nothing saved
    await client(st.urls[0] ?? '', password);
    await expect(studio.regenerateObsWebSocketPassword()).rejects.toMatchObject({ code: 'invalid-state' });
    studio.updateSettings({ obsWebSocket: { enabled: false, port: 4455, lan: false, auth: true } });
    await new Promise((r) => setTimeout(r, 50));
    expect(studio.getObsWebSocket()).toMatchObject({ running: true, port: st.port });
  });

  it('stopping the engine sends ExitStarted, then closes every connection with 1001', async () => {
    const studio = new Studio({ mode: 'headless' });
    const obs = new ObsWebSocketController(studio);
    studio.updateSettings({ obsWebSocket: { enabled: true, port: 0, lan: false, auth: false } });
    await obs.start();
    const c = await rawClient((await running(studio)).urls[0] ?? '');
    await c.next(0);
    c.send({ op: 1, d: { rpcVersion: 1 } });
    await c.next(2);
    await obs.shutdown();
    expect((await c.next(5)).d).toMatchObject({ eventType: 'ExitStarted' });
    expect((await c.closed).code).toBe(1001);
    await studio.close();
  });

  it('never sends the password on the wire', () => {
    expect(wire.length).toBeGreaterThan(10);
  });
});

describe('tandem serve flags', () => {
  it('--obs-websocket-port turns it on; the password comes from the flag, else the environment, else Settings', () => {
    expect(parseServeFlags([], {}).obsWebSocket).toBeUndefined();
    expect(parseServeFlags(['--obs-websocket-port', '4456'], {}).obsWebSocket).toEqual({ port: 4456 });
    expect(parseServeFlags(['--obs-websocket-port', '4456'], { TANDEM_OBS_WEBSOCKET_PASSWORD: 'from-env' }).obsWebSocket).toEqual({ port: 4456, password: 'from-env' });
    expect(parseServeFlags(['--obs-websocket-port', '4456', '--obs-websocket-password', 'flag'], { TANDEM_OBS_WEBSOCKET_PASSWORD: 'env' }).obsWebSocket).toEqual({ port: 4456, password: 'flag' });
    expect(parseServeFlags(['--obs-websocket-lan', '--obs-websocket-password', 'p', '--port', '0'], {})).toMatchObject({ port: 0, obsWebSocket: { lan: true, password: 'p' } });
    expect(() => parseServeFlags(['--obs-websocket-port', '70000'], {})).toThrow('--obs-websocket-port takes a number from 1 to 65535');
    expect(() => parseServeFlags(['--obs-websocket-password'], {})).toThrow(/TANDEM_OBS_WEBSOCKET_PASSWORD/);
    expect(() => parseServeFlags(['--obs-websocket-lan', '--obs-websocket-password', ''], {})).toThrow('needs a password');
  });

  it('connectUrls: this machine first, then each LAN address', () => {
    expect(connectUrls('127.0.0.1', 4455)).toEqual(['ws://127.0.0.1:4455']);
    expect(connectUrls('0.0.0.0', 4455, () => ['192.168.1.20'])).toEqual(['ws://127.0.0.1:4455', 'ws://192.168.1.20:4455']);
    expect(connectUrls(undefined, undefined)).toEqual([]);
  });
});
