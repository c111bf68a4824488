// Issue 14, "every word translated": the studio in 简体中文 (browser mode, real Chromium). An
// engine error (a WHIP server refusing the token), a validation error (width 1281) and every
// button read in Chinese; the page loads with no 404 (the favicon included). Screenshots in
// test-results/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { sharedPeers, uniqueKey } from '../peers/shared';
import { openStudio, type OpenStudio } from '../helpers/studio-process';
import { zhCN } from '../../src/shared/i18n/index';
import type { StudioApi } from '../../src/shared/api';

const CJK = /[\u3400-\u9fff]/;

describe('studio: 简体中文', () => {
  let open: OpenStudio;
  let page: Page;
  let api: StudioApi;
  const row = (name: string) => page.locator('[data-testid=destination]', { hasText: name });

  beforeAll(async () => {
    open = await openStudio({ width: 1440, height: 900 });
    ({ page, api } = open);
    await api.updateSettings({ language: 'zh-CN' });
    await page.waitForFunction(() => (globalThis as unknown as { document: { documentElement: { lang: string } } }).document.documentElement.lang === 'zh-CN');
  });
  afterAll(async () => {
    await api?.stopLive().catch(() => undefined);
    await open?.close();
  });

  it('loads with no 404, favicon included', async () => {
    const fresh = await open.chromium.browser.newPage();
    const failed: string[] = [];
    fresh.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url().replace(/token=[^&]+/, 'token=…')}`);
    });
    await fresh.goto(page.url());
    await fresh.locator('[data-testid=program-canvas]').waitFor();
    const icons = await fresh.locator('link[rel=icon]').evaluateAll((ls) => ls.map((l) => (l as unknown as { href: string }).href));
    expect(icons.length).toBeGreaterThan(0);
    for (const href of icons) {
      const status = await fresh.evaluate(async (u) => (await fetch(u)).status, href);
      expect(status, href).toBe(200);
    }
    await fresh.waitForTimeout(1000);
    await fresh.close();
    expect(failed).toEqual([]);
  });

  it('every button reads in Chinese', async () => {
    const texts = await page.getByRole('button').evaluateAll((bs) => bs.filter((b) => (b as unknown as { offsetParent: unknown }).offsetParent !== null).map((b) => (b.textContent ?? '').trim() || b.getAttribute('aria-label') || b.getAttribute('title') || ''));
    expect(texts.length).toBeGreaterThan(5);
    // Names the user gave (scenes, sources, destinations) are theirs, not the studio's words.
    const state = await api.getState();
    const doc = state.sceneDoc;
    const names = new Set([...doc.scenes.map((s) => s.name), ...doc.scenes.flatMap((s) => s.sources.map((x) => x.name)), ...state.destinations.map((d) => d.name)]);
    const english = texts.filter((t) => !CJK.test(t) && /\p{L}/u.test(t) && !names.has(t));
    expect(english).toEqual([]);
  });

  it('a WHIP server that refuses the token: the row says so in Chinese, without the token', async () => {
    const url = await sharedPeers().whip.createEndpoint({ id: uniqueKey('zh-bad'), token: 'the-right-one-42' });
    await api.addDestination({ name: 'Janus 错误令牌', protocol: 'whip', url, secret: 'not-the-right-token' });
    await row('Janus 错误令牌').getByTestId('dest-toggle').click();
    await expect.poll(() => row('Janus 错误令牌').getAttribute('data-state'), { timeout: 15_000 }).toBe('failed');
    const text = (await row('Janus 错误令牌').getByTestId('dest-error').textContent()) ?? '';
    expect(text).toContain(zhCN['error.auth-rejected']);
    expect(text).toMatch(/40[13]/);
    expect(text).not.toMatch(/[A-Za-z]{4,}/); // no English sentence (the engine's detail is in the tooltip)
    expect(text).not.toContain('not-the-right-token');
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/studio-error-zh-CN.png' });
  });

  it('width 1281 in Settings: the dialog explains in Chinese and nothing is saved', async () => {
    await page.getByTestId('open-settings').click();
    const dialog = page.getByRole('dialog', { name: zhCN['settings.title'] });
    await dialog.getByTestId('resolution').selectOption('custom');
    await dialog.getByTestId('settings-width').fill('1281');
    await dialog.getByRole('button', { name: zhCN['button.save'] }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toBe('参数无效：宽度必须是 4 的倍数');
    await page.screenshot({ path: 'test-results/studio-settings-zh-CN.png' });
    expect((await api.getState()).settings.width).toBe(1280);
    await dialog.getByRole('button', { name: zhCN['button.cancel'] }).click();
  });
});
