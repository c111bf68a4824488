// Issue #14, desktop-app picker: the dialog the studio window shows when the shell asks which
// screen or window to capture. Electron cannot run here, so the component runs in Chromium with a
// double of the preload bridge (onDisplaySources / chooseDisplaySource), driven by real clicks
// and keys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchChromium, type LaunchedChromium } from '../peers/chromium';
import { bundleForPage, RENDERER_SRC } from '../helpers/component-bundle';
import { solidPng } from '../helpers/png';

const ENTRY = `
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nProvider } from '${RENDERER_SRC}/i18n.tsx';
import { DisplayPickerHost } from '${RENDERER_SRC}/components/DisplayPickerDialog.tsx';
import { pickerBridge } from '${RENDERER_SRC}/display-picker.ts';
// The preload double: what src/preload/api.ts exposes for the picker, recording the answers.
let listener = null;
window.answers = [];
window.shellSends = (msg) => listener && listener(msg);
window.tandem = {
  onDisplaySources(fn) { listener = fn; return () => { listener = null; }; },
  chooseDisplaySource(choice) { window.answers.push(choice); return Promise.resolve(true); },
};
const bridge = pickerBridge(window.tandem);
createRoot(document.getElementById('root')).render(createElement(I18nProvider, { lang: window.lang || 'en' }, createElement(DisplayPickerHost, { bridge })));
`;

const thumb = (rgb: [number, number, number]) => `data:image/png;base64,${solidPng(32, 18, rgb).toString('base64')}`;
const REQUEST = (requestId: number) => ({
  requestId,
  sources: [
    { id: 'screen:0:0', name: 'Entire screen', kind: 'screen', thumbnail: thumb([200, 0, 0]) },
    { id: 'window:42:0', name: 'Slides — Impress', kind: 'window', thumbnail: thumb([0, 0, 200]) },
    { id: 'screen:1:0', name: 'Screen 2', kind: 'screen', thumbnail: '' },
  ],
});

describe('desktop-app picker dialog (preload bridge double)', () => {
  let chromium: LaunchedChromium;
  let bundle: string;

  beforeAll(async () => {
    bundle = await bundleForPage('picker', ENTRY);
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium?.close();
  });

  async function openPage(lang: 'en' | 'zh-CN'): Promise<Page> {
    const page = await chromium.browser.newPage();
    await page.setContent('<!doctype html><html><body><div id="root"></div></body></html>');
    await page.evaluate((l) => ((globalThis as unknown as { lang: string }).lang = l), lang);
    await page.addStyleTag({ path: `${RENDERER_SRC}/styles.css` }); // the backdrop covers the page as in the app
    await page.addScriptTag({ content: bundle });
    return page;
  }
  const answers = (page: Page) => page.evaluate(() => (globalThis as unknown as { answers: unknown[] }).answers);
  const send = (page: Page, msg: unknown) => page.evaluate((m) => (globalThis as unknown as { shellSends: (m: unknown) => void }).shellSends(m), msg);

  it('shows screens and windows in two groups with thumbnails, and sends the chosen one', async () => {
    const page = await openPage('en');
    expect(await page.getByRole('dialog').count()).toBe(0);
    await send(page, REQUEST(5));
    const dialog = page.getByRole('dialog', { name: 'Choose what to share' });
    await dialog.waitFor();
    const screens = dialog.getByRole('region', { name: 'Screens' });
    const windows = dialog.getByRole('region', { name: 'Windows' });
    expect(await screens.getByTestId('display-source').allTextContents()).toEqual(['Entire screen', 'No previewScreen 2']);
    expect(await windows.getByTestId('display-source').allTextContents()).toEqual(['Slides — Impress']);
    expect(await screens.locator('img').count()).toBe(1);
    expect(await windows.locator('img').getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    const share = dialog.getByRole('button', { name: 'Share' });
    expect(await share.isDisabled()).toBe(true);
    await windows.getByRole('button', { name: 'Slides — Impress' }).click();
    expect(await windows.getByRole('button', { name: 'Slides — Impress' }).getAttribute('aria-pressed')).toBe('true');
    await share.click();
    await expect.poll(() => answers(page)).toEqual([{ requestId: 5, sourceId: 'window:42:0' }]);
    expect(await page.getByRole('dialog').count()).toBe(0);
    // a double-click shares at once
    await send(page, REQUEST(6));
    await page.getByRole('button', { name: 'Entire screen' }).dblclick();
    await expect.poll(() => answers(page)).toEqual([
      { requestId: 5, sourceId: 'window:42:0' },
      { requestId: 6, sourceId: 'screen:0:0' },
    ]);
    await page.close();
  });

  it('cancels with the button, with Escape and with a click outside: the shell gets null', async () => {
    const page = await openPage('en');
    await send(page, REQUEST(1));
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await send(page, REQUEST(2));
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Escape');
    await send(page, REQUEST(3));
    await page.getByRole('dialog').waitFor();
    await page.mouse.click(3, 3); // the backdrop
    await expect.poll(() => answers(page)).toEqual([
      { requestId: 1, sourceId: null },
      { requestId: 2, sourceId: null },
      { requestId: 3, sourceId: null },
    ]);
    expect(await page.getByRole('dialog').count()).toBe(0);
    await page.close();
  });

  it('speaks 简体中文', async () => {
    const page = await openPage('zh-CN');
    await send(page, REQUEST(9));
    const dialog = page.getByRole('dialog', { name: '选择要共享的内容' });
    await dialog.waitFor();
    expect(await dialog.getByRole('heading').allTextContents()).toEqual(['选择要共享的内容', '屏幕', '窗口']);
    expect(await dialog.getByRole('button', { name: '共享' }).count()).toBe(1);
    expect(await dialog.getByRole('button', { name: '取消' }).count()).toBe(1);
    expect(await dialog.textContent()).toContain('无预览');
    await page.close();
  });
});
