// Issue #11, bad input: a malformed or oversized chunk on the /media WebSocket closes that media
// channel with a clear reason (1007 for a message that does not parse, 1009 for one over the
// 16 MiB limit); the engine keeps running, the destinations stay up and show "no video from the
// studio" (status bar and each live row), and a new channel works again. The page's hooks
// (test/helpers/page-hooks.ts) corrupt one encoded chunk the studio sends.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { uniqueKey } from '../peers/shared';
import { openStudio, type OpenStudio } from '../helpers/studio-process';
import { corruptNextChunk, readHooks, studioHooks } from '../helpers/page-hooks';
import type { StudioApi } from '../../src/shared/api';

describe('studio: bad media from the page closes only its channel', () => {
  let open: OpenStudio;
  let page: Page;
  let api: StudioApi;
  const row = (name: string) => page.locator('[data-testid=destination]', { hasText: name });

  beforeAll(async () => {
    open = await openStudio({ initScripts: [studioHooks()] });
    ({ page, api } = open);
    await api.addDestination({ name: 'nginx one', protocol: 'rtmp', url: inject('nginxRtmpUrl'), secret: uniqueKey('bad-a') });
    await api.addDestination({ name: 'nginx two', protocol: 'rtmp', url: inject('nginxRtmpUrl'), secret: uniqueKey('bad-b') });
  });
  afterAll(async () => {
    await api?.stopLive().catch(() => undefined);
    await open?.close();
  });

  async function goLiveWithVideo(): Promise<void> {
    await api.goLive();
    for (const name of ['nginx one', 'nginx two']) await expect.poll(() => row(name).getAttribute('data-state'), { timeout: 20_000 }).toBe('live');
    await expect.poll(async () => (await api.getEngineStats()).mediaIn.chunks, { timeout: 20_000 }).toBeGreaterThan(10);
    expect((await api.getState()).video.input).toBe('ok');
  }

  async function expectVideoMissing(reason: RegExp): Promise<void> {
    // Missing = no video for 2 s while capturing (StudioState.video.input).
    await expect.poll(async () => (await api.getState()).video.input, { timeout: 10_000 }).toBe('missing');
    const video = (await api.getState()).video;
    expect(video.inputProblem).toMatch(reason);
    await expect.poll(() => page.getByTestId('video-missing').count(), { timeout: 5000 }).toBe(1);
    await expect(page.getByTestId('video-missing').getAttribute('title')).resolves.toMatch(reason);
    for (const name of ['nginx one', 'nginx two']) {
      // the destinations stay up (an RTMP viewer sees the stream stall, not end) and say why
      expect(await row(name).getAttribute('data-state')).toBe('live');
      await expect.poll(() => row(name).getByTestId('dest-video-missing').count(), { timeout: 5000 }).toBe(1);
    }
  }

  it('a malformed chunk (a NAL length past its end) closes /media with 1007 and the parse error', async () => {
    await goLiveWithVideo();
    await corruptNextChunk(page, 'nal-length');
    await expect.poll(async () => (await readHooks(page)).closes.length, { timeout: 10_000 }).toBe(1);
    const close = (await readHooks(page)).closes[0];
    console.log('malformed chunk', JSON.stringify({ close, video: (await api.getState()).video }));
    expect(close?.code).toBe(1007);
    expect(close?.reason).toMatch(/AVCC NAL length \d+ runs past the sample end/);
    await expectVideoMissing(/media channel was closed: AVCC NAL length \d+ runs past the sample end/);
    // The engine runs on: its API answers and the encoders are still there.
    expect((await api.getEngineStats()).groups.length).toBe(1);
  });

  it('after going live again a new channel works, and an oversized message closes it with 1009', async () => {
    await api.stopLive();
    await expect.poll(async () => (await api.getState()).live, { timeout: 15_000 }).toBe(false);
    await expect.poll(() => page.getByTestId('video-missing').count(), { timeout: 5000 }).toBe(0);
    await goLiveWithVideo();
    await expect.poll(() => page.getByTestId('video-missing').count(), { timeout: 5000 }).toBe(0);
    expect(await row('nginx one').getByTestId('dest-video-missing').count()).toBe(0);

    await corruptNextChunk(page, 'oversize');
    await expect.poll(async () => (await readHooks(page)).closes.length, { timeout: 15_000 }).toBe(2);
    const close = (await readHooks(page)).closes[1];
    console.log('oversized message', JSON.stringify({ close, video: (await api.getState()).video }));
    // The engine closes with 1009 (message too big). Chromium, still sending the 16 MB message,
    // sometimes reports the close as 1006 (the connection went before its own frame did): seen
    // once in a CI run. The engine's reason is what the studio shows, and is asserted below.
    expect([1009, 1006]).toContain(close?.code);
    await expectVideoMissing(/media message over the 16 MB limit/);
    expect((await api.getState()).destinations.every((d) => d.state === 'live')).toBe(true);
  });
});
