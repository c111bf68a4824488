// The desktop window's permission and link handlers, driven with doubles of Electron's objects.
import { describe, expect, it, vi } from 'vitest';
import { externalLinkGuard, permissionHandlers } from '../../../src/main/control/ipc-permissions';

const OURS = 'file:///opt/Tandem/resources/app.asar/out/renderer/index.html';
const isTrustedUrl = (u: string): boolean => u.split(/[?#]/)[0] === OURS;
const trustedOrigin = (o: string): boolean => o === 'file://' || o === 'file:///';
const wc = (url: string) => ({ getURL: () => url });

describe('permission handlers', () => {
  it('grant camera/microphone and display capture to our own page only', () => {
    const h = permissionHandlers(isTrustedUrl, trustedOrigin);
    const ask = (url: string, p: string, requestingUrl?: string): boolean => {
      const cb = vi.fn();
      h.request(wc(url), p, cb, requestingUrl === undefined ? {} : { requestingUrl });
      return cb.mock.calls[0]?.[0] as boolean;
    };
    expect(ask(OURS, 'media')).toBe(true);
    expect(ask(`${OURS}?x=1#y`, 'display-capture')).toBe(true);
    expect(ask('https://evil.example/', 'media')).toBe(false);
    expect(ask(OURS, 'media', 'https://evil.example/frame')).toBe(false); // a foreign frame in our window
    expect(ask(OURS, 'geolocation')).toBe(false);
    expect(ask(OURS, 'notifications')).toBe(false);
  });

  it('the check handler agrees with the request handler', () => {
    const h = permissionHandlers(isTrustedUrl, trustedOrigin);
    expect(h.check(wc(OURS), 'media', 'file://')).toBe(true);
    expect(h.check(wc(OURS), 'media', 'https://evil.example')).toBe(false);
    expect(h.check(null, 'media', 'https://evil.example')).toBe(false);
    expect(h.check(wc(OURS), 'clipboard-read', 'file://')).toBe(false);
    expect(h.check(wc('https://evil.example/'), 'media', 'file://')).toBe(false);
  });
});

describe('external links', () => {
  it('opens only the help links the app ships', () => {
    const open = vi.fn();
    const guard = externalLinkGuard(['https://help.twitch.tv/s/twitch-ingest-recommendation', 'http://insecure.example/'], open);
    expect(guard('https://help.twitch.tv/s/twitch-ingest-recommendation')).toBe(true);
    expect(guard('https://help.twitch.tv/s/other')).toBe(false);
    expect(guard('https://evil.example/')).toBe(false);
    expect(guard('http://insecure.example/')).toBe(false);
    expect(guard('file:///etc/passwd')).toBe(false);
    expect(guard('not a url')).toBe(false);
    expect(open.mock.calls).toEqual([['https://help.twitch.tv/s/twitch-ingest-recommendation']]);
  });
});

describe('display picker (desktop app)', () => {
  it('lists screens and windows with thumbnails to our window, and takes the choice from its own frame only', async () => {
    const { FakeIpcMain, FakeIpcRenderer, FakeWebContents } = await import('../../helpers/ipc-doubles');
    const { displayPicker } = await import('../../../src/main/control/ipc-picker');
    const { buildPreloadApi } = await import('../../../src/preload/api');
    const main = new FakeIpcMain();
    const contents = new FakeWebContents(7);
    const ours = new FakeIpcRenderer(main, contents, { senderId: 7, url: OURS });
    const iframe = new FakeIpcRenderer(main, contents, { senderId: 7, url: OURS, parent: {} });
    const sources = [
      { id: 'screen:0:0', name: 'Entire screen', thumbnail: { toDataURL: () => 'data:image/png;base64,AAA' } },
      { id: 'window:42:0', name: 'Editor', thumbnail: { toDataURL: () => 'data:image/png;base64,BBB' } },
    ];
    const picker = displayPicker({
      ipcMain: main,
      target: contents,
      trusted: (e) => e.sender.id === 7 && e.senderFrame !== null && !e.senderFrame.parent && isTrustedUrl(e.senderFrame.url),
      getSources: async () => sources,
    });
    const api = buildPreloadApi(ours);
    const shown: unknown[] = [];
    api.onDisplaySources((m) => shown.push(m));
    const picked = picker.pick();
    await new Promise((r) => setTimeout(r, 0));
    expect(shown).toEqual([{ requestId: 1, sources: [
      { id: 'screen:0:0', name: 'Entire screen', kind: 'screen', thumbnail: 'data:image/png;base64,AAA' },
      { id: 'window:42:0', name: 'Editor', kind: 'window', thumbnail: 'data:image/png;base64,BBB' },
    ] }]);
    expect(await buildPreloadApi(iframe).chooseDisplaySource({ requestId: 1, sourceId: 'screen:0:0' })).toBe(false); // a sub-frame cannot choose
    expect(await api.chooseDisplaySource({ requestId: 1, sourceId: 'window:42:0' })).toBe(true);
    expect((await picked)?.id).toBe('window:42:0');
    // cancel → nothing is captured
    const cancelled = picker.pick();
    await new Promise((r) => setTimeout(r, 0));
    await api.chooseDisplaySource({ requestId: 2, sourceId: null });
    expect(await cancelled).toBeUndefined();
    picker.dispose();
    expect(main.handlers.size).toBe(0);
  });
});
