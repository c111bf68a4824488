// Runs the studio the way a user does (`npm start`, or `tandem serve` from the build) and reads
// the browser-mode URL it prints. The process group is killed on close.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { Page } from 'playwright-core';
import { launchChromium, launchHideableChromium, type HideableChromium, type LaunchedChromium } from '../peers/chromium';
import { createApiClient } from '../../src/shared/rpc';
import { webSocketTransport, type WebSocketLike } from '../../src/shared/transports';
import type { StudioApi } from '../../src/shared/api';

export interface StudioProcess {
  url: string;
  port: number;
  token: string;
  stdout: () => string;
  dataDir: string;
  /** With 'serve': the engine's own process (node out/main/cli.js), not its children (with 'npm-start': npm's). */
  pid: number;
  /** Resolves when the engine process has exited. */
  exited: Promise<void>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Extra command-line arguments (after `serve`). */
  args?: string[];
  /** Extra environment variables for the engine. */
  env?: Record<string, string>;
}

/**
 * `dataDir`: reuse a data folder (an engine restart keeps the scene and the uploaded media); a new
 * one otherwise. `opts`: extra arguments and environment for `serve`.
 */
export async function startStudio(cmd: 'npm-start' | 'serve', timeoutMs = 120_000, dataDir = mkdtempSync(join(tmpdir(), 'tandem-e2e-')), opts: StartOptions = {}): Promise<StudioProcess> {
  const [bin, args] = cmd === 'npm-start' ? ['npm', ['start', '--silent']] : [process.execPath, ['out/main/cli.js', 'serve', ...(opts.args ?? [])]];
  const child: ChildProcess = spawn(bin, args, {
    cwd: process.cwd(),
    env: { ...process.env, ...opts.env, TANDEM_DATA_DIR: dataDir, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no browser-mode URL within ${timeoutMs} ms; output:\n${out.slice(-2000)}`)), timeoutMs);
    const check = () => {
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(t);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`the studio exited (${code}) before printing a URL:\n${out.slice(-2000)}`));
    });
  });
  const u = new URL(url);
  let closed: Promise<void> | undefined;
  const exited = new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
  return {
    url,
    port: Number(u.port),
    token: u.searchParams.get('token') ?? '',
    stdout: () => out,
    dataDir,
    pid: child.pid ?? -1,
    exited,
    close() {
      closed ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        if (child.pid) process.kill(-child.pid, 'SIGINT');
      });
      return closed;
    },
  };
}

export interface OpenStudio {
  studio: StudioProcess;
  /** The browser the page is in (with `hideable`: the one we spawned and attached over CDP). */
  chromium: LaunchedChromium;
  page: Page;
  api: StudioApi;
  /** Minimise / restore the browser window (only with `hideable`; rejects otherwise). */
  hide(): Promise<void>;
  show(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenStudioOptions extends StartOptions {
  viewport?: { width: number; height: number };
  /** Scripts run in the page before the studio's own (e.g. to wrap VideoEncoder). */
  initScripts?: string[];
  /**
   * A Chromium whose page can really be hidden (launchHideableChromium: spawned by us, attached
   * over CDP without Playwright's focus emulation and anti-throttling flags).
   */
  hideable?: boolean;
  /** Reuse a data folder (see startStudio). */
  dataDir?: string;
}

const STUDIO_ARGS = ['--autoplay-policy=no-user-gesture-required'];
const DEFAULT_VIEWPORT = { width: 1280, height: 720 };

/**
 * The studio in browser mode, opened in Chromium with a fake camera and microphone (autoplay
 * allowed, so the mixer runs), plus an API client on the same engine for the test to drive.
 * Called as `openStudio(viewport?, dataDir?, startOptions?)` or `openStudio(options)`.
 */
export async function openStudio(first: { width: number; height: number } | OpenStudioOptions = {}, dataDir?: string, opts: StartOptions = {}): Promise<OpenStudio> {
  // The positional form (viewport?, dataDir?, startOptions?) and the options object; a dataDir
  // given positionally counts in both (openStudio(undefined, dir) passes no viewport).
  const o: OpenStudioOptions = { ...opts, ...('width' in first ? { viewport: first } : first), ...(dataDir === undefined ? {} : { dataDir }) };
  const viewport = o.viewport ?? DEFAULT_VIEWPORT;
  const startOpts: StartOptions = { ...(o.args ? { args: o.args } : {}), ...(o.env ? { env: o.env } : {}) };
  const studio = await startStudio('serve', 120_000, o.dataDir, startOpts);
  let chromium: LaunchedChromium;
  let page: Page;
  let hideable: HideableChromium | undefined;
  try {
    if (o.hideable) {
      hideable = await launchHideableChromium({ fakeMedia: true, args: STUDIO_ARGS, viewport });
      chromium = hideable;
      page = hideable.page;
      await page.setViewportSize(viewport).catch(() => undefined);
    } else {
      chromium = await launchChromium({ fakeMedia: true, args: STUDIO_ARGS });
      page = await chromium.browser.newPage({ viewport });
    }
  } catch (err) {
    await studio.close();
    throw err;
  }
  for (const script of o.initScripts ?? []) await page.addInitScript(script);
  await page.goto(studio.url);
  await page.locator('[data-testid=program-canvas]').waitFor();
  const ws = new WebSocket(`ws://127.0.0.1:${studio.port}/api?token=${studio.token}`);
  const transport = webSocketTransport(ws as unknown as WebSocketLike);
  await transport.ready;
  const api = createApiClient(transport);
  const unsupported = (): Promise<void> => Promise.reject(new Error('openStudio({ hideable: true }) is needed to hide the page'));
  return {
    studio,
    chromium,
    page,
    api,
    hide: () => hideable?.hide() ?? unsupported(),
    show: () => hideable?.show() ?? unsupported(),
    async close() {
      transport.close();
      await chromium.close();
      await studio.close();
    },
  };
}
