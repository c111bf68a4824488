// Issue #11: a hidden or minimised studio window must not slow the stream. The page is really
// hidden here (launchHideableChromium: Chromium without Playwright's focus emulation and
// anti-throttling flags, window minimised over CDP), so Chromium throttles it as it would a user's
// minimised window: main-thread timers to ~1/s, no requestAnimationFrame, the renderer's main
// thread at nice 5. The studio's output clock is a Worker's timer (clock.worker.ts), which a
// hidden page does not throttle. Asserted at the far end: the frame rate nginx-rtmp delivers
// while hidden stays close to the rate while visible.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadavg } from 'node:os';
import type { Page } from 'playwright-core';
import { readPackets, rate, type Packet } from '../peers/packets';
import { uniqueKey } from '../peers/shared';
import { openStudio, type OpenStudio } from '../helpers/studio-process';
import { addCamera, box } from '../helpers/studio-scene';
import type { StudioApi } from '../../src/shared/api';

const WINDOW_MS = 8000;
/** Time after a visibility change that belongs to neither window (queues drain, nginx buffers). */
const SETTLE_MS = 2000;

/** Main-thread setTimeout(0) chain, ticks per second over `ms`: tens to hundreds visible, ~1/s throttled. */
async function mainThreadTimerRate(page: Page, ms: number): Promise<number> {
  const n = (await page.evaluate(`new Promise((resolve) => { let n = 0; const end = performance.now() + ${ms}; const f = () => { n++; if (performance.now() < end) setTimeout(f, 0); else resolve(n); }; setTimeout(f, 0); })`)) as number;
  return (n * 1000) / ms;
}

describe('studio: a hidden page keeps the stream rate', () => {
  let open: OpenStudio;
  let page: Page;
  let api: StudioApi;
  const key = uniqueKey('hidden');

  beforeAll(async () => {
    open = await openStudio({ hideable: true });
    ({ page, api } = open);
    await addCamera(api, box(640, 200, 640, 480));
    await api.addDestination({ name: 'nginx RTMP', protocol: 'rtmp', url: inject('nginxRtmpUrl'), secret: key });
  });
  afterAll(async () => {
    await api?.stopLive().catch(() => undefined);
    await open?.close();
  });

  it('delivers close to the visible frame rate while the window is minimised', async () => {
    const packets: Packet[] = [];
    const reader = new AbortController();
    const reading = readPackets(`${inject('nginxRtmpUrl')}/${key}`, { timeoutMs: 60_000, signal: reader.signal, onPacket: (p) => packets.push(p) });
    await api.goLive();
    await expect.poll(async () => (await api.getState()).destinations[0]?.state, { timeout: 20_000 }).toBe('live');
    await expect.poll(() => packets.filter((p) => p.type === 'video').length, { timeout: 20_000 }).toBeGreaterThan(30);
    expect((await api.getState()).video.path).toBe('webcodecs');

    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const v0 = performance.now();
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    const v1 = performance.now();
    const visibleTimers = await mainThreadTimerRate(page, 1000);

    await open.hide();
    expect(await page.evaluate('document.visibilityState')).toBe('hidden');
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const h0 = performance.now();
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    const h1 = performance.now();
    const hiddenTimers = await mainThreadTimerRate(page, 3000);
    expect(await page.evaluate('document.visibilityState')).toBe('hidden');
    const audio = await api.getEngineStats();

    await open.show();
    reader.abort();
    await reading;
    await api.stopLive();
    const visible = rate(packets, 'video', v0, v1);
    const hidden = rate(packets, 'video', h0, h1);
    console.log('hidden page', JSON.stringify({ visibleFps: +visible.toFixed(1), hiddenFps: +hidden.toFixed(1), ratio: +(hidden / visible).toFixed(2), visibleTimers: Math.round(visibleTimers), hiddenTimers: +hiddenTimers.toFixed(1), audioChunks: audio.mediaIn.audioChunks, load: loadavg()[0] }));
    // The page really was throttled: a main-thread setTimeout(0) chain ran at 3/s over 3 s hidden
    // (Chromium 156 allows a hidden page one wake-up per second; a few run before it settles),
    // against 32-250/s visible (32 with the main thread busy composing at load 14).
    expect(hiddenTimers).toBeLessThanOrEqual(5);
    expect(visibleTimers).toBeGreaterThan(4 * hiddenTimers);
    // Measured on this 2-core box (CPU-bound: SwiftShader WebGL + OpenH264): at load 14, visible
    // 10.5 fps at the far end, hidden 10.2 (0.98×). A page driven by main-thread timers or rAF
    // would drop to ≤ 1 fps here; before the synchronous readback on software GL (PBO fences that
    // never signalled while hidden) it fell to 0.7-2.9 chunks/s at the engine.
    expect(visible).toBeGreaterThan(5);
    expect(hidden).toBeGreaterThanOrEqual(0.7 * visible);
    expect(hidden).toBeGreaterThan(5);
  });
});
