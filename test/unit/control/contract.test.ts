// The same StudioApi contract, run over both transports: WebSocket (browser mode) and Electron
// IPC through the preload (with doubles of ipcMain/ipcRenderer, since Electron cannot run here).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/shared/rpc';
import type { StudioState } from '../../../src/shared/api';
import { ipcHarness, wsHarness, type Harness } from '../../helpers/transports';

const transports: [string, () => Promise<Harness>][] = [
  ['websocket', wsHarness],
  ['ipc', ipcHarness],
];

describe.each(transports)('StudioApi over %s', (_name, make) => {
  let h: Harness;
  beforeEach(async () => {
    h = await make();
  });
  afterEach(async () => {
    await h.close();
  });

  it('returns the default scenes and settings', async () => {
    const state = await h.api.getState();
    expect(state.sceneDoc.scenes.map((s) => s.name)).toEqual(['Main', 'Be right back']);
    expect(state.sceneDoc.activeSceneId).toBe('scene-main');
    expect(state.sceneDoc.scenes[0]?.sources.map((s) => s.settings.kind)).toEqual(['color', 'text', 'clock']);
    expect(state).toMatchObject({ canUndo: false, canRedo: false, capture: false, recording: { active: false } });
    expect(state.settings).toMatchObject({ width: 1280, height: 720, fps: 30 });
    expect(state.destinations).toEqual([]);
  });

  it('adds a destination, lists it masked, and never returns the secret', async () => {
    const key = 'live_123456789_abcdefghijKLMN';
    const d = await h.api.addDestination({ name: 'Twitch', protocol: 'rtmp', url: 'rtmp://live.twitch.tv/app', secret: key });
    expect(d).toMatchObject({ name: 'Twitch', protocol: 'rtmp', url: 'rtmp://live.twitch.tv/app', hasSecret: true, state: 'idle' });
    expect(d.secretMasked).toBe('****KLMN');
    const list = await h.api.listDestinations();
    expect(list.map((x) => x.id)).toEqual([d.id]);
    expect(JSON.stringify(await h.api.getState())).not.toContain(key);
    expect(h.studio.secretOf(d.id)).toBe(key);
  });

  it('pushes a state event when a destination is added', async () => {
    const seen = new Promise<StudioState>((resolve) => {
      const off = h.transport.onEvent('state', (s) => {
        off();
        resolve(s);
      });
    });
    await h.api.addDestination({ name: 'Janus', protocol: 'whip', url: 'http://127.0.0.1:7080/whip/endpoint/e1' });
    const s = await seen;
    expect(s.destinations.map((d) => d.name)).toEqual(['Janus']);
  });

  it('rejects a URL that does not fit the protocol with a typed, readable error', async () => {
    const err = await h.api.addDestination({ name: 'x', protocol: 'whip', url: 'rtmp://a/b' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('invalid-url');
    expect((err as ApiError).message).toMatch(/WHIP destination needs a http:\/\/ or https:\/\/ URL/);
    const err2 = await h.api.addDestination({ name: 'x', protocol: 'rtmp', url: 'not a url' }).catch((e: unknown) => e);
    expect((err2 as ApiError).code).toBe('invalid-url');
  });

  it('rejects malformed parameters before they reach the engine', async () => {
    const err = await h.api.addDestination({ name: '', protocol: 'rtmp', url: 'rtmp://h/app' }).catch((e: unknown) => e);
    expect((err as ApiError).code).toBe('invalid-argument');
    expect((err as ApiError).message).toContain('name');
    const err2 = await h.api.updateSettings({ fps: 0 }).catch((e: unknown) => e);
    expect((err2 as ApiError).code).toBe('invalid-argument');
    const bad = await h.transport.call('addDestination', { name: 'a', protocol: 'ftp', url: 'x' });
    expect(bad.ok).toBe(false);
    expect(h.studio.listDestinations()).toEqual([]);
  });

  it('updates and removes a destination, and reports unknown ids', async () => {
    const d = await h.api.addDestination({ name: 'A', protocol: 'rtmps', url: 'rtmps://a.example/app', secret: 'k1' });
    const u = await h.api.updateDestination({ id: d.id, patch: { name: 'B' } });
    expect(u.name).toBe('B');
    await h.api.removeDestination({ id: d.id });
    expect(await h.api.listDestinations()).toEqual([]);
    const err = await h.api.removeDestination({ id: d.id }).catch((e: unknown) => e);
    expect((err as ApiError).code).toBe('not-found');
  });

  it('edits scenes with undo/redo and rejects malformed ops', async () => {
    await h.api.sceneOp({ op: 'setTransform', sceneId: 'scene-main', sourceId: 'src-title', transform: { x: 200, y: 100 } });
    let s = await h.api.getState();
    expect(s.sceneDoc.scenes[0]?.sources[1]?.transform).toMatchObject({ x: 200, y: 100, width: 900 });
    expect(s.canUndo).toBe(true);
    await h.api.undo();
    s = await h.api.getState();
    expect(s.sceneDoc.scenes[0]?.sources[1]?.transform.x).toBe(64);
    await h.api.redo();
    expect((await h.api.getState()).sceneDoc.scenes[0]?.sources[1]?.transform.x).toBe(200);
    const locked = await h.api.sceneOp({ op: 'setTransform', sceneId: 'scene-main', sourceId: 'src-bg', transform: { x: 1 } }).catch((e: unknown) => e);
    expect((locked as ApiError).code).toBe('invalid-argument');
    expect((locked as ApiError).message).toMatch(/locked/);
    const bad = await h.transport.call('sceneOp', { op: 'setTransform', sceneId: 'scene-main', sourceId: 'src-title', transform: { opacity: 7 } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
  });

  it('switches the active scene and validates settings', async () => {
    await h.api.setActiveScene({ id: 'scene-brb' });
    expect((await h.api.getState()).sceneDoc.activeSceneId).toBe('scene-brb');
    const s = await h.api.updateSettings({ fps: 60, videoBitrateKbps: 6000 });
    expect(s).toMatchObject({ fps: 60, videoBitrateKbps: 6000, width: 1280 });
  });
});
