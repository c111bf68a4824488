// Issue #2: `npm start` on a machine without the Electron binary prints a browser-mode URL; the
// studio opened there in Chromium lists what the engine holds, live, through the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import WebSocket from 'ws';
import type { Page } from 'playwright-core';
import { launchChromium, type LaunchedChromium } from '../peers/chromium';
import { startStudio, type StudioProcess } from '../helpers/studio-process';
import { createApiClient } from '../../src/shared/rpc';
import { webSocketTransport, type WebSocketLike } from '../../src/shared/transports';

describe('browser mode', () => {
  let studio: StudioProcess;
  let chromium: LaunchedChromium;
  let page: Page;

  beforeAll(async () => {
    studio = await startStudio('npm-start');
    chromium = await launchChromium();
    page = await chromium.browser.newPage({ viewport: { width: 1280, height: 720 } });
  });
  afterAll(async () => {
    await chromium?.close();
    await studio?.close();
  });

  it('npm start explains browser mode and prints a tokenised loopback URL', () => {
    expect(studio.stdout()).toMatch(/Electron is not installed here, so the studio runs in browser mode/);
    expect(studio.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
  });

  it('shows the studio shell filled from the engine', async () => {
    await page.goto(studio.url);
    await expect.poll(() => page.locator('[data-testid=scene-list] button').allTextContents()).toEqual(
      expect.arrayContaining(['Main', 'Be right back']),
    );
    await expect.poll(() => page.locator('[data-testid=program-canvas]').count()).toBe(1);
    expect(await page.locator('#dest-h').textContent()).toBe('Destinations');
  });

  it('lists a destination added through the API, without its key', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${studio.port}/api?token=${studio.token}`);
    const transport = webSocketTransport(ws as unknown as WebSocketLike);
    await transport.ready;
    const api = createApiClient(transport);
    const key = 'live_e2e_supersecret_key_0042';
    await api.addDestination({ name: 'Local nginx', protocol: 'rtmp', url: 'rtmp://127.0.0.1:1935/live', secret: key });
    transport.close();
    const row = page.locator('[data-testid=destination]', { hasText: 'Local nginx' });
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain('rtmp://127.0.0.1:1935/live');
    expect(await row.textContent()).toContain('****0042');
    expect(await page.content()).not.toContain(key);
  });

  it('adds a WHIP destination through the form and rejects a bad URL with a message', async () => {
    await page.getByRole('button', { name: '+ Add' }).click();
    const form = page.getByRole('form', { name: 'Add destination' });
    await form.getByLabel('Service').selectOption('custom-whip');
    await form.getByLabel('Name').fill('Janus WHIP');
    await form.getByLabel('WHIP endpoint URL').fill('rtmp://wrong.example/app');
    await form.getByRole('button', { name: 'Add destination' }).click();
    await expect.poll(() => form.getByRole('alert').textContent()).toMatch(/WHIP destination needs a http:\/\/ or https:\/\/ URL/);
    await form.getByLabel('WHIP endpoint URL').fill('http://127.0.0.1:7080/whip/endpoint/e1');
    await form.getByRole('button', { name: 'Add destination' }).click();
    await page.locator('[data-testid=destination][data-protocol=whip]', { hasText: 'Janus WHIP' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-testid=destination]').count()).toBe(2);
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/browser-mode.png' });
  });

  it('refuses the API without the token', async () => {
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${studio.port}/api`);
      ws.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(401);
  });
});
