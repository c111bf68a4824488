// Who may talk to the engine: the WebSocket needs the per-run token and our own Origin and Host;
// IPC calls must come from our own window's top frame.
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import WebSocket from 'ws';
import { ipcHarness, wsHarness } from '../../helpers/transports';
import { API_METHODS, IPC_PREFIX } from '../../../src/shared/methods';

type Opened = { opened: true } | { opened: false; status: number };

function tryOpen(url: string, headers: Record<string, string> = {}, origin?: string): Promise<Opened> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers, ...(origin ? { origin } : {}) });
    ws.on('open', () => {
      ws.close();
      resolve({ opened: true });
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve({ opened: false, status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.on('error', () => undefined);
  });
}

describe('browser-mode WebSocket guard', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
  });

  it('accepts the right token from our own origin', async () => {
    const h = await wsHarness();
    close = h.close;
    const origin = `http://127.0.0.1:${h.server.port}`;
    expect(await tryOpen(`ws://127.0.0.1:${h.server.port}/api?token=${h.server.token}`, {}, origin)).toEqual({ opened: true });
    expect(h.server.url).toBe(`http://127.0.0.1:${h.server.port}/?token=${h.server.token}`);
  });

  it('refuses a request without the token, or with a wrong one (401)', async () => {
    const h = await wsHarness();
    close = h.close;
    const base = `ws://127.0.0.1:${h.server.port}/api`;
    expect(await tryOpen(base)).toEqual({ opened: false, status: 401 });
    expect(await tryOpen(`${base}?token=${h.server.token.slice(0, -1)}x`)).toEqual({ opened: false, status: 401 });
    expect(await tryOpen(`${base}?token=`)).toEqual({ opened: false, status: 401 });
  });

  it('refuses a foreign Origin even with the right token (403)', async () => {
    const h = await wsHarness();
    close = h.close;
    const url = `ws://127.0.0.1:${h.server.port}/api?token=${h.server.token}`;
    expect(await tryOpen(url, {}, 'https://evil.example')).toEqual({ opened: false, status: 403 });
    expect(await tryOpen(url, {}, `http://127.0.0.1:${h.server.port + 1}`)).toEqual({ opened: false, status: 403 });
  });

  it('refuses a foreign Host header, against DNS rebinding (421)', async () => {
    const h = await wsHarness();
    close = h.close;
    const url = `ws://127.0.0.1:${h.server.port}/api?token=${h.server.token}`;
    expect(await tryOpen(url, { Host: `attacker.example:${h.server.port}` })).toEqual({ opened: false, status: 421 });
    const status = await new Promise<number>((resolve) => {
      request({ host: '127.0.0.1', port: h.server.port, path: '/', headers: { Host: 'attacker.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).end();
    });
    expect(status).toBe(421);
  });

  it('closes a connection that sends malformed JSON, and keeps serving others', async () => {
    const h = await wsHarness();
    close = h.close;
    const ws = new WebSocket(`ws://127.0.0.1:${h.server.port}/api?token=${h.server.token}`);
    await new Promise((r) => ws.on('open', r));
    const code = await new Promise<number>((resolve) => {
      ws.on('close', (c) => resolve(c));
      ws.send('{not json');
    });
    expect(code).toBe(1007);
    expect((await h.api.getState()).sceneDoc.scenes.length).toBe(2);
  });
});

describe('Electron IPC guard', () => {
  it('refuses calls from another window, a foreign URL, or a subframe', async () => {
    const h = await ipcHarness();
    try {
      h.renderer.frame = { senderId: 99, url: 'file:///app/out/renderer/index.html' };
      const a = (await h.renderer.invoke(`${IPC_PREFIX}getState`)) as { ok: boolean; error?: { code: string } };
      expect(a).toMatchObject({ ok: false, error: { code: 'auth-rejected' } });
      h.renderer.frame = { senderId: 7, url: 'https://evil.example/' };
      expect(await h.renderer.invoke(`${IPC_PREFIX}getState`)).toMatchObject({ ok: false });
      h.renderer.frame = { senderId: 7, url: 'file:///app/out/renderer/index.html', parent: {} };
      expect(await h.renderer.invoke(`${IPC_PREFIX}getState`)).toMatchObject({ ok: false });
      h.renderer.frame = { senderId: 7, url: 'file:///app/out/renderer/index.html' };
      expect(await h.renderer.invoke(`${IPC_PREFIX}getState`)).toMatchObject({ ok: true });
    } finally {
      await h.close();
    }
  });

  it('exposes one named function per method and removes every handler on close', async () => {
    const h = await ipcHarness();
    expect(h.main.handlers.size).toBe(API_METHODS.length);
    expect([...h.main.handlers.keys()]).toContain('tandem:sceneOp');
    await h.close();
    expect(h.main.handlers.size).toBe(0);
  });
});
