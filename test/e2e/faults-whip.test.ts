// Issue #12, WHIP faults from the studio (browser mode, real Chromium, a private Janus +
// simple-whip-server behind a counting proxy of ours):
// - the server killed and started again (its endpoint created again): the row leaves "live" within
//   5 s of the kill, the output POSTs a new offer once the server is back, and the far end (Janus'
//   RTP forward) decodes again within 5 s of the server's return;
// - a wrong token: the row is failed with the reason, and no further POST follows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startWhipServer, type WhipServer } from '../peers/janus';
import { startRtpReceiver, type RtpReceiver } from '../peers/rtp-receiver';
import { sharedPeers, uniqueKey } from '../peers/shared';
import { sleep } from '../peers/ports';
import { openStudio, type OpenStudio } from '../helpers/studio-process';
import { useFfmpegVideoPath } from '../helpers/video-path';
import { framesAfter, until } from '../helpers/far-end';
import { startWhipProxy, type WhipProxy } from '../helpers/whip-proxy';
import type { StudioApi } from '../../src/shared/api';

// werift numbers the offer's payload types in codec order (audio first): Opus 96, H.264 97.
const OPUS_PT = 96;
const H264_PT = 97;

describe('studio: WHIP faults', () => {
  let open: OpenStudio;
  let page: Page;
  let api: StudioApi;
  let whip: WhipServer;
  let proxy: WhipProxy;
  const receivers: RtpReceiver[] = [];

  const row = (name: string) => page.locator('[data-testid=destination]', { hasText: name });
  const stateOf = (name: string) => row(name).getAttribute('data-state');
  const receiver = async (): Promise<RtpReceiver> => {
    const rx = await startRtpReceiver({ videoPt: H264_PT, audioPt: OPUS_PT, host: whip.recipientHost });
    receivers.push(rx);
    return rx;
  };
  const recipient = (rx: RtpReceiver) => (rx.audioPort === undefined ? { videoPort: rx.videoPort } : { videoPort: rx.videoPort, audioPort: rx.audioPort });

  beforeAll(async () => {
    [open, whip] = await Promise.all([openStudio({ width: 1440, height: 900 }), startWhipServer()]);
    ({ page, api } = open);
    proxy = await startWhipProxy({ target: whip.baseUrl });
    await useFfmpegVideoPath(api);
  });
  afterAll(async () => {
    await api?.stopLive().catch(() => undefined);
    for (const rx of receivers) await rx.stop();
    await open?.close();
    await proxy?.close();
    await whip?.stop();
  });

  it('server killed and started again: leaves live within 5 s, POSTs again, decodes again within 5 s', async () => {
    const id = uniqueKey('whip-kill');
    const token = 'kill-token-0123456789';
    const rx1 = await receiver();
    const endpoint = await whip.createEndpoint({ id, token, recipient: recipient(rx1) });
    const dest = await api.addDestination({ name: 'Private WHIP', protocol: 'whip', url: proxy.via(endpoint), secret: token });
    await row('Private WHIP').getByTestId('dest-toggle').click();
    await expect.poll(() => stateOf('Private WHIP'), { timeout: 30_000 }).toBe('live');
    await rx1.waitForFrames(60, 30_000);

    await whip.kill();
    const killedAt = Date.now();
    let engineLeftAt: number | undefined;
    void until('the output to leave live', async () => (await api.getStats()).find((s) => s.id === dest.id)?.state !== 'live', 8000).then((t) => (engineLeftAt = t), () => undefined);
    const leftAt = await until('the row to leave live', async () => (await stateOf('Private WHIP')) !== 'live', 8000);
    expect(leftAt - killedAt, 'left "live" within 5 s of the kill').toBeLessThanOrEqual(5000);
    expect(await stateOf('Private WHIP')).toBe('reconnecting');

    await sleep(Math.max(0, killedAt + 4000 - Date.now()));
    await whip.start();
    const backAt = Date.now();
    // After the start (which can take seconds): ffmpeg's SDP input gives up after 10 s without packets.
    const rx2 = await receiver();
    await whip.createEndpoint({ id, token, recipient: recipient(rx2) });
    const decodedAt = await framesAfter(rx2, 0, 20_000);
    const postAt = proxy.posts(backAt).find((p) => p.status === 201)?.at;
    const got = await rx2.waitForFrames(30, 10_000);
    const stats = (await api.getStats()).find((s) => s.id === dest.id);
    const posts = proxy.posts(killedAt).map((p) => ({ afterKillMs: p.at - killedAt, status: p.status }));
    console.log('whip kill/restart', JSON.stringify({ leftLiveAfterKillMs: leftAt - killedAt, engineLeftLiveAfterKillMs: engineLeftAt === undefined ? null : engineLeftAt - killedAt, postsSinceKill: posts, createdAfterReturnMs: postAt === undefined ? null : postAt - backAt, decodedAfterReturnMs: decodedAt - backAt, reconnects: stats?.reconnects, size: `${got.width}x${got.height}` }));
    expect(proxy.posts(backAt).length, 'a new POST once the server is back').toBeGreaterThanOrEqual(1);
    expect(decodedAt - backAt, 'decodes again within 5 s of the return').toBeLessThanOrEqual(5000);
    expect([got.width, got.height]).toEqual([1280, 720]);
    await expect.poll(() => stateOf('Private WHIP'), { timeout: 5000 }).toBe('live');
    await api.stopLive({ ids: [dest.id] });
    await expect.poll(() => stateOf('Private WHIP'), { timeout: 10_000 }).toBe('stopped');
  });

  it('a wrong token: failed with the reason, and no retry loop', async () => {
    const shared = sharedPeers().whip;
    const sharedProxy = await startWhipProxy({ target: shared.baseUrl });
    try {
      const url = await shared.createEndpoint({ id: uniqueKey('whip-token'), token: 'the-right-token-42' });
      await api.addDestination({ name: 'Wrong token', protocol: 'whip', url: sharedProxy.via(url), secret: 'not-the-right-token' });
      await row('Wrong token').getByTestId('dest-toggle').click();
      await expect.poll(() => stateOf('Wrong token'), { timeout: 15_000 }).toBe('failed');
      const alert = await row('Wrong token').getByRole('alert').textContent();
      expect(alert).toMatch(/40[13]/);
      expect(alert).not.toContain('not-the-right-token');
      expect(sharedProxy.posts().length).toBe(1);
      await sleep(5000);
      expect(sharedProxy.posts().length, 'no further POST').toBe(1);
      expect(await stateOf('Wrong token')).toBe('failed');
    } finally {
      await sharedProxy.close();
    }
  });
});
