// Issue #14, studio mode: off by default; when on, the preview (left) shows the scene being picked
// and edited while the program (right) keeps going out unchanged — recordings show the program
// only — until Transition (button or Ctrl+Enter) sends the preview to program.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openStudio, type OpenStudio } from '../helpers/studio-process';
import { boxOf, rgbFrameAt } from '../helpers/frames';
import { record, sceneDoc } from '../helpers/preview';
import { probeFile } from '../peers/ffprobe';
import type { StudioApi } from '../../src/shared/api';
import { newSource } from '../../src/shared/scene/ops';

const W = 1280;
const H = 720;
const isRed = (r: number, g: number, b: number) => r > 180 && g < 80 && b < 80;
const isBlue = (r: number, g: number, b: number) => b > 180 && r < 80 && g < 80;

/** Decodes a frame from the middle of a recording and says which colours fill it. */
async function colours(file: string): Promise<{ red: ReturnType<typeof boxOf>; blue: ReturnType<typeof boxOf> }> {
  const probe = await probeFile(file);
  const rgb = rgbFrameAt(file, Math.max(0, Math.min(1.5, probe.durationSec - 0.5)), W, H);
  return { red: boxOf(rgb, W, H, isRed), blue: boxOf(rgb, W, H, isBlue) };
}

/** Makes the page's WebGL report a hardware renderer (UNMASKED_RENDERER_WEBGL, RENDERER). */
const GPU_RENDERER = `{
  const orig = WebGL2RenderingContext.prototype.getParameter;
  WebGL2RenderingContext.prototype.getParameter = function (p) {
    if (p === 0x9246 || p === 0x1f01) return 'Test GPU (ANGLE, hardware)';
    return orig.call(this, p);
  };
}`;

async function canvasWidth(page: Page): Promise<number> {
  return Number(await page.getByTestId('program-canvas').getAttribute('width'));
}

/** The whole frame (±2 %) is covered by the box. */
function fills(b: ReturnType<typeof boxOf>): boolean {
  return !!b && b.x0 <= 0.02 * W && b.y0 <= 0.02 * H && b.x1 >= 0.98 * W && b.y1 >= 0.98 * H && b.pixels > 0.9 * W * H;
}

describe('studio mode', () => {
  let open: OpenStudio;
  let page: Page;
  let api: StudioApi;
  const dir = mkdtempSync(join(tmpdir(), 'tandem-studio-mode-'));

  beforeAll(async () => {
    open = await openStudio();
    ({ page, api } = open);
    for (const [id, name, color] of [
      ['red', 'Red', '#ff0000'],
      ['blue', 'Blue', '#0000ff'],
    ] as const) {
      await api.sceneOp({ op: 'addScene', id, name });
      const s = newSource('color', `${id}-fill`, `${name} fill`, W, H);
      await api.sceneOp({ op: 'addSource', sceneId: id, source: { ...s, settings: { kind: 'color', color } } });
    }
    await api.setActiveScene({ id: 'red' });
    await page.locator('[data-testid=scene-list] li[data-program]', { hasText: 'Red' }).waitFor({ timeout: 15_000 });
    mkdirSync('test-results', { recursive: true });
  });
  afterAll(async () => {
    await open?.close();
  });

  it('is off by default: one canvas at the output size, scene clicks go to program', async () => {
    expect((await sceneDoc(api)).studioMode.enabled).toBe(false);
    expect(await canvasWidth(page)).toBe(W);
    expect(await page.getByTestId('transition').count()).toBe(0);
    await page.screenshot({ path: 'test-results/studio-normal-en.png' });
  });

  it('turned on from Controls: preview on the left, program on the right of one canvas', async () => {
    await page.getByTestId('studio-mode').click();
    await expect.poll(async () => (await sceneDoc(api)).studioMode.enabled, { timeout: 10_000 }).toBe(true);
    await expect.poll(() => canvasWidth(page), { timeout: 10_000 }).toBe(2 * W);
    const canvas = await page.getByTestId('program-canvas').boundingBox();
    const overlay = await page.getByTestId('preview-edit').boundingBox();
    expect(canvas && overlay).toBeTruthy();
    // the editing layer covers the left half only
    expect(Math.abs(overlay!.x - canvas!.x)).toBeLessThanOrEqual(1);
    expect(Math.abs(overlay!.width - canvas!.width / 2)).toBeLessThanOrEqual(1);
  });

  it('a scene click changes the preview, not the program: a recording shows the program colour', async () => {
    await page.locator('[data-testid=scene-list] button.row', { hasText: 'Blue' }).click();
    await expect.poll(async () => (await sceneDoc(api)).studioMode.previewSceneId, { timeout: 10_000 }).toBe('blue');
    expect((await sceneDoc(api)).activeSceneId).toBe('red');
    // editing follows the preview: the Sources panel lists the blue scene's source
    await page.locator('[data-testid=source-list] li', { hasText: 'Blue fill' }).waitFor({ timeout: 10_000 });
    const file = join(dir, 'before.mkv');
    await record(api, file, 2);
    const c = await colours(file);
    expect(fills(c.red), 'the program (red) fills the recorded frame').toBe(true);
    expect(c.blue, 'the preview (blue) is not recorded').toBeNull();
    await page.screenshot({ path: 'test-results/studio-mode-en.png' });
  });

  it('Transition sends the preview to program: the next recording shows it', async () => {
    await page.getByTestId('transition').click();
    await expect.poll(async () => (await sceneDoc(api)).activeSceneId, { timeout: 10_000 }).toBe('blue');
    // the default document swaps: the old program becomes the preview
    expect((await sceneDoc(api)).studioMode.previewSceneId).toBe('red');
    const file = join(dir, 'after.mkv');
    await record(api, file, 2);
    const c = await colours(file);
    expect(fills(c.blue), 'the new program (blue) fills the recorded frame').toBe(true);
    expect(c.red).toBeNull();
  });

  it('Ctrl+Enter transitions, Ctrl+1…9 pick the preview scene', async () => {
    await page.evaluate('document.activeElement && document.activeElement.blur()');
    const doc = await sceneDoc(api);
    const n = doc.scenes.findIndex((s) => s.id === 'blue') + 1;
    await page.keyboard.press(`Control+${n}`);
    await expect.poll(async () => (await sceneDoc(api)).studioMode.previewSceneId, { timeout: 10_000 }).toBe('blue');
    await page.keyboard.press(`Control+${doc.scenes.findIndex((s) => s.id === 'red') + 1}`);
    await expect.poll(async () => (await sceneDoc(api)).studioMode.previewSceneId, { timeout: 10_000 }).toBe('red');
    expect((await sceneDoc(api)).activeSceneId).toBe('blue');
    await page.keyboard.press('Control+Enter');
    await expect.poll(async () => (await sceneDoc(api)).activeSceneId, { timeout: 10_000 }).toBe('red');
  });

  it('renames and duplicates scenes and sources by double-click and by the context menu', async () => {
    await api.sceneOp({ op: 'setStudioMode', enabled: true }); // (on already when run in order)
    // double-click a scene's name, type, Enter
    await page.locator('[data-testid=scene-list] button.row', { hasText: 'Blue' }).dblclick();
    const field = page.locator('[data-testid=scene-list] input.rename');
    await field.fill('Blue sky');
    await field.press('Enter');
    await expect.poll(async () => (await sceneDoc(api)).scenes.find((s) => s.id === 'blue')?.name, { timeout: 10_000 }).toBe('Blue sky');
    // Escape cancels a rename
    await page.locator('[data-testid=scene-list] button.row', { hasText: 'Blue sky' }).dblclick();
    await field.fill('nothing');
    await field.press('Escape');
    // context menu on a scene: Duplicate
    const before = (await sceneDoc(api)).scenes.length;
    await page.locator('[data-testid=scene-list] button.row', { hasText: 'Blue sky' }).click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Duplicate' }).click();
    await expect.poll(async () => (await sceneDoc(api)).scenes.length, { timeout: 10_000 }).toBe(before + 1);
    const doc = await sceneDoc(api);
    const at = doc.scenes.findIndex((s) => s.id === 'blue');
    const copy = doc.scenes[at + 1]; // the copy sits after the original
    expect(copy?.name).toBe('Blue sky (copy)');
    expect(copy?.sources.map((s) => s.name)).toEqual(['Blue fill']);
    expect(doc.scenes.find((s) => s.id === 'blue')?.name).toBe('Blue sky');
    // a source: context menu Rename, then Duplicate, in the scene being edited (the preview)
    await api.sceneOp({ op: 'setPreviewScene', sceneId: 'red' });
    const row = page.locator('[data-testid=source-list] button.row', { hasText: 'Red fill' });
    await row.click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Rename' }).click();
    const srcField = page.locator('[data-testid=source-list] input.rename');
    await srcField.fill('Red wall');
    await srcField.press('Enter');
    await expect.poll(async () => (await sceneDoc(api)).scenes.find((s) => s.id === 'red')?.sources[0]?.name, { timeout: 10_000 }).toBe('Red wall');
    await page.locator('[data-testid=source-list] button.row', { hasText: 'Red wall' }).click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Duplicate' }).click();
    await expect.poll(async () => (await sceneDoc(api)).scenes.find((s) => s.id === 'red')?.sources.map((s) => s.name), { timeout: 10_000 }).toEqual(['Red wall', 'Red wall (copy)']);
    // both undoable in one step each
    await api.undo();
    await api.undo();
    await expect.poll(async () => (await sceneDoc(api)).scenes.find((s) => s.id === 'red')?.sources.map((s) => s.name), { timeout: 10_000 }).toEqual(['Red fill']);
  });

  it('in 简体中文 both modes are translated (screenshots)', async () => {
    await api.updateSettings({ language: 'zh-CN' });
    await expect.poll(() => page.getByTestId('studio-mode').textContent(), { timeout: 10_000 }).toBe('工作室模式');
    expect(await page.getByTestId('transition').textContent()).toBe('转场');
    // preview and program on different scenes, as in the English screenshot
    await api.sceneOp({ op: 'setPreviewScene', sceneId: (await sceneDoc(api)).activeSceneId === 'blue' ? 'red' : 'blue' });
    await page.getByTestId('same-scene').waitFor({ state: 'detached', timeout: 10_000 });
    await page.screenshot({ path: 'test-results/studio-mode-zh-CN.png' });
    await page.getByTestId('studio-mode').click();
    await expect.poll(() => page.getByTestId('transition').count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => canvasWidth(page), { timeout: 10_000 }).toBe(W);
    await page.screenshot({ path: 'test-results/studio-normal-zh-CN.png' });
    await api.updateSettings({ language: 'en' });
    await api.sceneOp({ op: 'setStudioMode', enabled: true });
    await expect.poll(() => page.getByTestId('studio-mode').textContent(), { timeout: 10_000 }).toBe('Studio mode');
  });

  it('on the GPU path (VideoFrame from the canvas) the encoded frame is still the program only', async () => {
    // A page whose WebGL reports a hardware renderer takes the path a real GPU takes: the
    // VideoFrame is made from the (double-width) canvas itself, not from the I420 readback.
    await page.close();
    page = await open.chromium.browser.newPage({ viewport: { width: 1280, height: 720 } });
    // (browser-side code as strings: this tsconfig has no DOM lib)
    await page.addInitScript({ content: GPU_RENDERER });
    await page.goto(open.studio.url);
    await page.getByTestId('transition').waitFor({ timeout: 30_000 });
    const renderer = await page.evaluate<string>(
      "(() => { const gl = document.createElement('canvas').getContext('webgl2'); const ext = gl && gl.getExtension('WEBGL_debug_renderer_info'); return ext ? String(gl.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : ''; })()",
    );
    expect(renderer).toMatch(/hardware/);
    // program red, preview blue
    await api.sceneOp({ op: 'setPreviewScene', sceneId: 'blue' });
    expect((await sceneDoc(api)).activeSceneId).toBe('red');
    const file = join(dir, 'gpu-path.mkv');
    await record(api, file, 2);
    const c = await colours(file);
    expect(fills(c.red), 'the program (red) fills the frame').toBe(true);
    expect(c.blue, 'no part of the preview is encoded').toBeNull();
  });
});
