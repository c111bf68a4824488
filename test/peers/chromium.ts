/**
 * Chromium (Debian's /usr/bin/chromium) driven by playwright-core, for e2e tests and as a reference
 * WebRTC peer. Never `npx playwright install`: it downloads, and fails offline.
 *
 *   launchChromium(opts?: { fakeMedia?: boolean; args?: string[]; headless?: boolean; netns?: boolean })
 *     : Promise<{ browser: Browser; close(): Promise<void>; netns?: { name, hostAddr, nsAddr } }>
 *       Flags from PEERS.md (--no-sandbox --disable-gpu --disable-quic --no-first-run
 *       --disable-background-networking --disable-component-update --disable-sync) plus
 *       --allow-loopback-in-peer-connection; fakeMedia adds --use-fake-device-for-media-stream
 *       --use-fake-ui-for-media-stream (a 640x480 test pattern camera and a beeping microphone, no
 *       permission prompt). Playwright's launch() gives every browser a fresh temporary
 *       user-data-dir and deletes it on close. close() is idempotent.
 *       WebRTC host candidates: Chromium 156 gathers them on every non-loopback interface and, in
 *       spite of --allow-loopback-in-peer-connection, NOT on 127.0.0.1 / ::1 (verified: a recvonly
 *       RTCPeerConnection gathers 192.0.2.2 and fd00::2 only, i.e. eth0's addresses: without
 *       network-enumeration permission — no getUserMedia grant — it uses only the "default local
 *       address" per family, the source address of a route to a public address). Test traffic
 *       must not go there, so:
 *   launchChromiumInNetns(opts?) = launchChromium({ ...opts, netns: true })
 *       Chromium in a namespace of its own (netns.ts createNetns({ onLinkDefaultRoute: true }):
 *       with no default route at all Chromium has no default local address and gathers NO
 *       candidate; the on-link route opens no path, see netns.ts): a wrapper script
 *       `exec ip netns exec NAME /usr/bin/chromium "$@"` is Playwright's executablePath (Playwright
 *       talks to Chromium over inherited pipe fds, which survive `ip netns exec`). Chromium's only
 *       non-loopback address is then nsAddr, so its only host candidate is nsAddr (verified: one
 *       candidate, `10.213.X.Y+2 ... typ host`), and it can reach only hostAddr (the root-side
 *       veth). close() also destroys the namespace and the wrapper's temp dir. Pages for it must be
 *       served on hostAddr: pageOn(browser, netns.hostAddr).
 *   launchHideableChromium(opts?: { fakeMedia?: boolean; args?: string[] })
 *     : Promise<{ browser, page, hide(), show(), visibility(), close() }>
 *       A Chromium whose page can really be hidden. Playwright's launch() cannot do it: every page it
 *       creates gets Emulation.setFocusEmulationEnabled(true), which keeps it "visible", and its
 *       default args add --disable-background-timer-throttling, --disable-backgrounding-occluded-
 *       windows and --disable-renderer-backgrounding. So this spawns /usr/bin/chromium itself
 *       (CHROMIUM_ARGS + --headless=new, no Playwright defaults) and attaches with
 *       connectOverCDP({ noDefaults: true }). hide() minimises the window
 *       (Browser.setWindowBounds windowState 'minimized'), after which document.visibilityState is
 *       'hidden' and Chromium throttles the page as it would a user's minimised window (main-thread
 *       timers to 1/s, no rAF, renderer main thread at nice 5); show() restores it. Measured in
 *       Chromium 156 (notes of the WebCodecs spike). close() disconnects and kills the browser.
 *   CHROMIUM_ARGS: the base flags; CHROMIUM_PATH: env TANDEM_PEERS_CHROMIUM or /usr/bin/chromium.
 *   secureOriginPage(browser, html?): Promise<{ page, origin, close() }>
 *       A page on a tiny loopback HTTP server (http://127.0.0.1:PORT counts as a secure context, so
 *       getUserMedia, WebCodecs and RTCPeerConnection are all available; about:blank is not one).
 *       Not for a namespaced Chromium: its 127.0.0.1 is the namespace's own loopback.
 *   pageOn(browser, host, html?): Promise<{ page, origin, close() }>
 *       The same, served on `host` (e.g. netns.hostAddr). http://10.213.x.1 is NOT a secure
 *       context: RTCPeerConnection works there, getUserMedia and WebCodecs do not.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createNetns, IP_BIN, type Netns } from './netns';
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
  // WebRTC: meant to add host candidates on 127.0.0.1 / ::1, but Chromium 156 (Debian) gathers
  // none there with it (verified: 192.0.2.2 and fd00::2 only). Kept as harmless; for a WebRTC peer
  // that must stay off eth0, use launchChromiumInNetns() (its only candidate is nsAddr).
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
  /** Run Chromium in a network namespace of its own (see launchChromiumInNetns). */
  netns?: boolean;
}

export interface ChromiumNetns {
  name: string;
  /** Root-side veth address: where a namespaced Chromium reaches us (serve its pages here). */
  hostAddr: string;
  /** Chromium's only non-loopback address, so its only WebRTC host candidate. */
  nsAddr: string;
  /** The root-side veth: its egress is what reaches Chromium (cap it with shaped.ts setCap). */
  hostIf: string;
}

export interface LaunchedChromium {
  browser: Browser;
  close(): Promise<void>;
  netns?: ChromiumNetns;
}

export interface LaunchedNetnsChromium extends LaunchedChromium {
  netns: ChromiumNetns;
}

export async function launchChromium(opts: LaunchChromiumOptions & { netns: true }): Promise<LaunchedNetnsChromium>;
export async function launchChromium(opts?: LaunchChromiumOptions): Promise<LaunchedChromium>;
export async function launchChromium(opts: LaunchChromiumOptions = {}): Promise<LaunchedChromium> {
  const args = [...CHROMIUM_ARGS, ...(opts.fakeMedia ? FAKE_MEDIA_ARGS : []), ...(opts.args ?? [])];
  let ns: Netns | undefined;
  let dir: string | undefined;
  let executablePath = CHROMIUM_PATH;
  const cleanup = async (): Promise<void> => {
    await ns?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
  let browser: Browser;
  try {
    if (opts.netns) {
      ns = await createNetns({ onLinkDefaultRoute: true });
      dir = mkdtempSync(join(tmpdir(), 'tandem-chromium-'));
      executablePath = join(dir, 'chromium-in-netns');
      writeFileSync(executablePath, `#!/bin/sh\nexec ${IP_BIN} netns exec ${ns.name} ${CHROMIUM_PATH} "$@"\n`);
      chmodSync(executablePath, 0o755);
    }
    browser = await chromium.launch({ executablePath, headless: opts.headless ?? true, args, timeout: 30_000 });
  } catch (err) {
    await cleanup();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    browser,
    close: () =>
      (closing ??= (async () => {
        await browser.close().catch(() => undefined);
        await cleanup();
      })()),
    ...(ns ? { netns: { name: ns.name, hostAddr: ns.hostAddr, nsAddr: ns.nsAddr, hostIf: ns.hostIf } } : {}),
  };
}

/** Chromium in a test-owned network namespace: its only WebRTC host candidate is `netns.nsAddr`. */
export function launchChromiumInNetns(opts: Omit<LaunchChromiumOptions, 'netns'> = {}): Promise<LaunchedNetnsChromium> {
  return launchChromium({ ...opts, netns: true });
}

/** A page served from a loopback HTTP server, i.e. a secure context. */
export function secureOriginPage(browser: Browser, html?: string): Promise<{ page: Page; origin: string; close(): Promise<void> }> {
  return pageOn(browser, LOOPBACK, html);
}

/**
 * A page served by a tiny HTTP server on `host`: 127.0.0.1 (a secure context) or, for a namespaced
 * Chromium, its `netns.hostAddr` (not a secure context: RTCPeerConnection yes, getUserMedia no).
 */
export async function pageOn(browser: Browser, host: string, html = '<!doctype html><title>tandem test</title>'): Promise<{
  page: Page;
  origin: string;
  close(): Promise<void>;
}> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no server address');
  const origin = `http://${host}:${addr.port}`;
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

export interface HideableChromium {
  browser: Browser;
  /** The window's one page (the default context's: no focus emulation on it). */
  page: Page;
  /** Minimise the window: the page becomes hidden (visibilitychange fires). */
  hide(): Promise<void>;
  /** Restore the window: the page becomes visible again. */
  show(): Promise<void>;
  visibility(): Promise<'visible' | 'hidden'>;
  close(): Promise<void>;
}

/** Chromium spawned by us and attached over CDP without Playwright's defaults, so a page can be hidden. */
export async function launchHideableChromium(opts: { fakeMedia?: boolean; args?: string[]; viewport?: { width: number; height: number } } = {}): Promise<HideableChromium> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-chromium-cdp-'));
  const args = [
    '--headless=new',
    ...CHROMIUM_ARGS,
    ...(opts.fakeMedia ? FAKE_MEDIA_ARGS : []),
    ...(opts.args ?? []),
    `--user-data-dir=${dir}`,
    '--remote-debugging-port=0',
    `--window-size=${opts.viewport?.width ?? 1280},${opts.viewport?.height ?? 720}`,
    'about:blank',
  ];
  const child = spawn(CHROMIUM_PATH, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', kill);
  let stderr = '';
  let browser: Browser;
  try {
    const ws = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`chromium printed no DevTools URL in 30 s:\n${stderr.slice(-2000)}`)), 30_000);
      // Keep draining stderr for the browser's whole life: a full pipe would block Chromium.
      child.stderr.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-16_384);
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(stderr);
        if (m?.[1]) {
          clearTimeout(t);
          resolve(m[1]);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(t);
        reject(new Error(`chromium exited (${code}) before DevTools was up:\n${stderr.slice(-2000)}`));
      });
    });
    browser = await chromium.connectOverCDP(ws, { noDefaults: true, timeout: 30_000 });
  } catch (err) {
    kill();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const context = browser.contexts()[0];
  const page = context?.pages()[0] ?? (await context?.newPage());
  if (!context || !page) throw new Error('the CDP browser has no default context or page');
  const cdp = await context.newCDPSession(page);
  const { windowId } = (await cdp.send('Browser.getWindowForTarget')) as { windowId: number };
  const setState = async (windowState: 'minimized' | 'normal'): Promise<void> => {
    await cdp.send('Browser.setWindowBounds', { windowId, bounds: { windowState } });
  };
  let closing: Promise<void> | undefined;
  return {
    browser,
    page,
    hide: () => setState('minimized'),
    show: () => setState('normal'),
    visibility: async () => ((await page.evaluate('document.visibilityState')) === 'hidden' ? 'hidden' : 'visible'),
    close: () =>
      (closing ??= (async () => {
        await browser.close().catch(() => undefined); // over CDP this only disconnects
        const gone = new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
        child.kill('SIGTERM');
        const t = setTimeout(kill, 5000);
        await gone;
        clearTimeout(t);
        process.off('exit', kill);
        // Its helper processes may still be writing the profile for a moment.
        try {
          rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
        } catch {
          // a temp dir left behind is harmless
        }
      })()),
  };
}
