/**
 * Chromium (Debian's /usr/bin/chromium) driven by playwright-core, for e2e tests and as a reference
 * WebRTC peer. Never `npx playwright install`: it downloads, and fails offline.
 *
 *   launchChromium(opts?: { fakeMedia?: boolean; args?: string[]; headless?: boolean })
 *     : Promise<{ browser: Browser; close(): Promise<void> }>
 *       Flags from PEERS.md (--no-sandbox --disable-gpu --disable-quic --no-first-run
 *       --disable-background-networking --disable-component-update --disable-sync) plus
 *       --allow-loopback-in-peer-connection (WebRTC host candidates on 127.0.0.1 and ::1 too, with
 *       the highest IPv4 priority; verified: 127.0.0.1, 192.0.2.2, ::1, fd00::2); fakeMedia adds
 *       --use-fake-device-for-media-stream --use-fake-ui-for-media-stream (a 640x480 test pattern
 *       camera and a beeping microphone, no permission prompt). Playwright's launch() gives every
 *       browser a fresh temporary user-data-dir and deletes it on close. close() is idempotent.
 *   CHROMIUM_ARGS: the base flags; CHROMIUM_PATH: env TANDEM_PEERS_CHROMIUM or /usr/bin/chromium.
 *   secureOriginPage(browser): Promise<{ page, origin, close() }>
 *       A page on a tiny loopback HTTP server (http://127.0.0.1:PORT counts as a secure context, so
 *       getUserMedia, WebCodecs and RTCPeerConnection are all available; about:blank is not one).
 */
import { createServer } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import { LOOPBACK } from './ports';

export const CHROMIUM_PATH = process.env['TANDEM_PEERS_CHROMIUM'] ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // WebRTC: also gather host candidates on 127.0.0.1 / ::1 (Chromium skips loopback by default), so
  // Chromium ↔ Node peers (werift) can connect over loopback. Harmless with Janus in its namespace:
  // it cannot reach our loopback, and the veth pair is still the one that connects.
  '--allow-loopback-in-peer-connection',
  // Chromium keeps only the last --disable-features switch, so this one list carries Playwright's
  // own defaults (the ones that matter headless) plus WebRtcHideLocalIpsWithMdns: without it
  // Chromium opens mDNS sockets joined to 224.0.0.251 on every interface, eth0 included.
  `--disable-features=${[
    'AvoidUnnecessaryBeforeUnloadCheckSync',
    'DestroyProfileOnBrowserClose',
    'HttpsUpgrades',
    'MediaRouter',
    'PaintHolding',
    'ThirdPartyStoragePartitioning',
    'OptimizationHints',
    'NetworkTimeServiceQuerying',
    'AimEnabled',
    'PreconnectToSearch',
    'WebRtcHideLocalIpsWithMdns',
  ].join(',')}`,
];

export const FAKE_MEDIA_ARGS: readonly string[] = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

export interface LaunchChromiumOptions {
  fakeMedia?: boolean;
  args?: string[];
  headless?: boolean;
}

export interface LaunchedChromium {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchChromium(opts: LaunchChromiumOptions = {}): Promise<LaunchedChromium> {
  const args = [...CHROMIUM_ARGS, ...(opts.fakeMedia ? FAKE_MEDIA_ARGS : []), ...(opts.args ?? [])];
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: opts.headless ?? true,
    args,
    timeout: 30_000,
  });
  let closing: Promise<void> | undefined;
  return {
    browser,
    close: () => (closing ??= browser.close().catch(() => undefined)),
  };
}

/** A page served from a loopback HTTP server, i.e. a secure context. */
export async function secureOriginPage(browser: Browser, html = '<!doctype html><title>tandem test</title>'): Promise<{
  page: Page;
  origin: string;
  close(): Promise<void>;
}> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no server address');
  const origin = `http://${LOOPBACK}:${addr.port}`;
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  return {
    page,
    origin,
    close: async () => {
      await context.close().catch(() => undefined);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
