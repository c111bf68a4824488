// Issue #12, RTMP faults from the studio (browser mode, real Chromium, real servers):
// - nginx-rtmp killed mid-stream and restarted 4 s later: the row counts down "Reconnecting in N s
//   (attempt k)", goes live again by itself, and the far end decodes 1280x720 again within 3 s of
//   the server's return;
// - a server that refuses the publish: the row is failed with the reason, and nothing retries;
// - stopping while reconnecting: no connection attempt afterwards; "Retry now" attempts at once;
// - RTMPS to a self-signed server: live only with "allow an untrusted certificate" on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startNginxRtmp, type NginxRtmp } from '../peers/nginx';
import { sharedPeers, uniqueKey } from '../peers/shared';
import { sleep } from '../peers/ports';
import { openStudio, type OpenStudio } from '../helpers/studio-process';
import { useFfmpegVideoPath } from '../helpers/video-path';
import { playStream, until } from '../helpers/far-end';
import { TcpRelay } from '../helpers/relay';
import { startStunnel } from '../peers/stunnel';
import { createServer, type Server } from 'node:net';
import type { StudioApi } from '../../src/shared/api';

describe('studio: RTMP faults', () => {
  let open: OpenStudio;
  let page: Page;
  let api: StudioApi;
  let nginx: NginxRtmp;

  const row = (name: string) => page.locator('[data-testid=destination]', { hasText: name });
  const stateOf = (name: string) => row(name).getAttribute('data-state');

  beforeAll(async () => {
    [open, nginx] = await Promise.all([openStudio({ width: 1440, height: 900 }), startNginxRtmp()]);
    ({ page, api } = open);
    await useFfmpegVideoPath(api);
  });
  afterAll(async () => {
    await api?.stopLive().catch(() => undefined);
    await open?.close();
    await nginx?.stop();
  });

  it('nginx killed mid-stream and back 4 s later: countdown, live again, decoding 1280x720 within 3 s', async () => {
    const key = uniqueKey('kill');
    const url = nginx.url('live', key);
    const dest = await api.addDestination({ name: 'Private nginx', protocol: 'rtmp', url: `rtmp://127.0.0.1:${nginx.rtmpPort}/live`, secret: key });
    const before = playStream(url);
    await row('Private nginx').getByTestId('dest-toggle').click();
    await expect.poll(() => stateOf('Private nginx'), { timeout: 20_000 }).toBe('live');
    await before.frames(30, 20_000);

    await nginx.kill();
    const killedAt = Date.now();
    await before.stop();
    await expect.poll(() => stateOf('Private nginx'), { timeout: 5000 }).toBe('reconnecting');
    const text = await row('Private nginx').textContent();
    expect(text).toMatch(/Reconnecting in \d+ s \(attempt \d+\)/);
    // The countdown runs: the seconds shown go down (or the attempt number goes up).
    const shown = (t: string | null) => /Reconnecting in (\d+) s \(attempt (\d+)\)/.exec(t ?? '');
    const first = shown(text);
    await expect
      .poll(async () => {
        const m = shown(await row('Private nginx').textContent());
        return m && first ? Number(m[1]) < Number(first[1]) || Number(m[2]) > Number(first[2]) : false;
      }, { timeout: 3000, interval: 100 })
      .toBe(true);
    expect(await row('Private nginx').getByTestId('dest-retry').isVisible()).toBe(true);

    await sleep(Math.max(0, killedAt + 4000 - Date.now()));
    await nginx.start();
    const backAt = Date.now();
    const retryAt = (await api.listDestinations()).find((d) => d.id === dest.id)?.retry?.at;
    // Players that start at once (no 1 s probe): the time measured is the studio's. No
    // `-fflags nobuffer`: with it ffmpeg discards the packets it probed, i.e. the keyframe the
    // studio sends first, and a player then waits for the next GOP (that was the 1.2-1.9 s once
    // put down to the studio; an `ffmpeg -re -c copy` publisher showed it too).
    const quick = ['-analyzeduration', '0', '-probesize', '32768'];
    const after = playStream(url, { inputArgs: quick });
    // A second player counts packets without decoding: when the first bytes reach the far end.
    const probe = playStream(url, { copy: true, inputArgs: quick });
    const liveAt = await until('the row to be live again', async () => (await stateOf('Private nginx')) === 'live', 15_000);
    const firstFrameAt = await after.firstFrame(15_000);
    const firstPacketAt = await probe.firstFrame(15_000);
    await probe.stop();
    const decoded = await after.frames(30, 10_000);
    await after.stop();
    const stats = (await api.getStats()).find((s) => s.id === dest.id);
    console.log('rtmp kill/restart', JSON.stringify({ nextAttemptAfterReturnMs: retryAt === undefined ? null : retryAt - backAt, connectMs: stats?.connectTimeMs, liveAfterReturnMs: liveAt - backAt, firstPacketAfterReturnMs: firstPacketAt - backAt, firstFrameAfterReturnMs: firstFrameAt - backAt, reconnects: stats?.reconnects, size: `${decoded.width}x${decoded.height}` }));
    // Issue 12: within 3 s of the server's return. The next attempt comes ~1 s after the return
    // (backoff 2 s, then 3 s), connect + publish take ~0.4 s, and the GOP is replayed at once.
    expect(firstFrameAt - backAt).toBeLessThanOrEqual(3000);
    expect([decoded.width, decoded.height]).toEqual([1280, 720]);
    expect(stats?.reconnects).toBe(1);
    await api.stopLive({ ids: [dest.id] });
    await expect.poll(() => stateOf('Private nginx'), { timeout: 10_000 }).toBe('stopped');
  });

  it('a server that refuses the publish: failed with the reason, and no retry', async () => {
    const peers = sharedPeers();
    const relay = new TcpRelay({ host: '127.0.0.1', port: peers.nginx.rtmpPort }, { rttMs: 0, lossRate: 0 });
    const port = await relay.listen();
    try {
      await api.addDestination({ name: 'Refused app', protocol: 'rtmp', url: `rtmp://127.0.0.1:${port}/${peers.nginx.denyApp}`, secret: uniqueKey('deny') });
      await row('Refused app').getByTestId('dest-toggle').click();
      await expect.poll(() => stateOf('Refused app'), { timeout: 15_000 }).toBe('failed');
      const alert = await row('Refused app').getByRole('alert').textContent();
      expect(alert).toMatch(/rejected|not permitted/);
      expect(relay.counters.connections).toBe(1);
      await sleep(5000);
      expect(relay.counters.connections, 'no further connection attempt').toBe(1);
      expect(await stateOf('Refused app')).toBe('failed');
    } finally {
      await relay.close();
    }
  });

  it('"Retry now" attempts at once; stopping while reconnecting stops: no attempt afterwards', async () => {
    let accepts = 0;
    const server: Server = createServer((sock) => {
      accepts++;
      sock.destroy(); // closes mid-handshake: a drop, retried
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const addr = server.address();
    const port = addr && typeof addr === 'object' ? addr.port : 0;
    try {
      await api.addDestination({ name: 'Closing server', protocol: 'rtmp', url: `rtmp://127.0.0.1:${port}/live`, secret: 'k' });
      await row('Closing server').getByTestId('dest-toggle').click();
      await expect.poll(() => stateOf('Closing server'), { timeout: 10_000 }).toBe('reconnecting');
      await expect.poll(async () => /Reconnecting in \d+ s \(attempt 1\)/.test((await row('Closing server').textContent()) ?? ''), { timeout: 3000 }).toBe(true);
      expect(accepts).toBe(1);
      // Wait for attempt 2's longer countdown (3 s), then skip it.
      await expect.poll(async () => /Reconnecting in \d+ s \(attempt 2\)/.test((await row('Closing server').textContent()) ?? ''), { timeout: 5000 }).toBe(true);
      expect(accepts).toBe(2);
      const due = (await api.listDestinations()).find((d) => d.name === 'Closing server')?.retry?.at ?? 0;
      const clickedAt = Date.now();
      // dispatchEvent: a click without Playwright's actionability waits, which take seconds on a loaded machine
      await row('Closing server').getByTestId('dest-retry').dispatchEvent('click');
      const retriedAt = await until('an attempt after "Retry now"', () => accepts >= 3, 1500);
      console.log('retry now → connection attempt', retriedAt - clickedAt, 'ms; it was due in', due - clickedAt, 'ms');
      expect(due - retriedAt, 'the attempt came before its scheduled time').toBeGreaterThan(500);
      await expect.poll(async () => /Reconnecting in \d+ s \(attempt 3\)/.test((await row('Closing server').textContent()) ?? ''), { timeout: 3000 }).toBe(true);
      await row('Closing server').getByTestId('dest-toggle').click();
      await expect.poll(() => stateOf('Closing server'), { timeout: 5000 }).toBe('stopped');
      const seen = accepts;
      await sleep(6000); // longer than the 4.5 s wait of attempt 3
      expect(accepts, 'no connection attempt after stop').toBe(seen);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('RTMPS to a self-signed server: live only with "allow an untrusted certificate" on', async () => {
    const tunnel = await startStunnel({ targetPort: nginx.rtmpPort });
    try {
      const strictKey = uniqueKey('tls-strict');
      await api.addDestination({ name: 'TLS strict', protocol: 'rtmps', url: `rtmps://127.0.0.1:${tunnel.tlsPort}/live`, secret: strictKey });
      await row('TLS strict').getByTestId('dest-toggle').click();
      await expect.poll(() => stateOf('TLS strict'), { timeout: 15_000 }).toBe('failed');
      expect(await row('TLS strict').getByRole('alert').textContent()).toMatch(/certificate is not trusted/);

      // The lab destination is added through the form, with the option ticked.
      const labKey = uniqueKey('tls-lab');
      await page.getByRole('button', { name: '+ Add' }).click();
      await page.getByTestId('preset').selectOption('custom-rtmps');
      expect(await page.getByTestId('allow-untrusted').isChecked()).toBe(false);
      await page.getByLabel('Name').fill('TLS lab');
      await page.getByLabel('Server URL').fill(`rtmps://127.0.0.1:${tunnel.tlsPort}/live`);
      await page.getByLabel('Stream key').fill(labKey);
      expect(await page.getByTestId('allow-untrusted-warning').count()).toBe(0);
      await page.getByTestId('allow-untrusted').check();
      expect(await page.getByTestId('allow-untrusted-warning').textContent()).toMatch(/self-signed/);
      await page.getByRole('button', { name: 'Add destination' }).click();
      await expect.poll(() => row('TLS lab').count()).toBe(1);
      const dests = await api.listDestinations();
      expect(dests.find((d) => d.name === 'TLS lab')?.allowUntrustedCertificate).toBe(true);
      expect(dests.find((d) => d.name === 'TLS strict')?.allowUntrustedCertificate).toBeUndefined();

      const player = playStream(nginx.url('live', labKey));
      await row('TLS lab').getByTestId('dest-toggle').click();
      await expect.poll(() => stateOf('TLS lab'), { timeout: 15_000 }).toBe('live');
      const got = await player.frames(30, 20_000);
      await player.stop();
      expect([got.width, got.height]).toEqual([1280, 720]);
      await row('TLS lab').getByTestId('dest-toggle').click();
      await expect.poll(() => stateOf('TLS lab'), { timeout: 10_000 }).toBe('stopped');
    } finally {
      await tunnel.stop();
    }
  });
});
