// Drives the studio's preview like a user: output-pixel coordinates mapped onto the editing
// overlay, and real pointer events through Playwright's mouse (CDP Input.dispatchMouseEvent).
import { existsSync, statSync } from 'node:fs';
import type { Page } from 'playwright-core';
import type { StudioApi } from '../../src/shared/api';
import type { SceneDoc, Transform } from '../../src/shared/scene/model';

export interface Shown {
  left: number;
  top: number;
  /** CSS pixels per output pixel. */
  zoom: number;
}

/** Where the edited scene is shown (the overlay over the canvas, or its left half in studio mode). */
export async function shownAt(page: Page, outWidth: number): Promise<Shown> {
  const box = await page.getByTestId('preview-edit').boundingBox();
  if (!box) throw new Error('the preview overlay is not on the page');
  return { left: box.x, top: box.y, zoom: box.width / outWidth };
}

export const toPage = (s: Shown, x: number, y: number): { x: number; y: number } => ({ x: s.left + x * s.zoom, y: s.top + y * s.zoom });

/** Presses at `from` and releases at `to` (page pixels), moving in steps, with optional held keys. */
export async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }, opts: { keys?: string[]; release?: boolean } = {}): Promise<void> {
  await page.mouse.move(from.x, from.y);
  for (const k of opts.keys ?? []) await page.keyboard.down(k);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 4 });
  await page.mouse.move(to.x, to.y, { steps: 4 });
  if (opts.release !== false) await page.mouse.up();
  for (const k of opts.keys ?? []) await page.keyboard.up(k);
}

/**
 * Waits until the page draws the selection outline at `t` (unrotated): the page has the document
 * the test read from the API, so a press lands on what the user would see.
 */
export async function shownOnPage(page: Page, t: Pick<Transform, 'x' | 'y' | 'width' | 'height'>, timeoutMs = 10_000): Promise<void> {
  const want = `${t.x},${t.y} ${t.x + t.width},${t.y} ${t.x + t.width},${t.y + t.height} ${t.x},${t.y + t.height}`;
  const poly = page.locator('[data-testid=selection] polygon');
  const t0 = Date.now();
  for (;;) {
    const got = await poly.getAttribute('points', { timeout: timeoutMs }).catch(() => null);
    if (got === want) return;
    if (Date.now() - t0 > timeoutMs) throw new Error(`the page shows the selection at ${got ?? 'nothing'}, not ${want}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function sceneDoc(api: StudioApi): Promise<SceneDoc> {
  return (await api.getState()).sceneDoc;
}

export async function transformOf(api: StudioApi, sceneId: string, sourceId: string): Promise<Transform> {
  const doc = await sceneDoc(api);
  const t = doc.scenes.find((s) => s.id === sceneId)?.sources.find((s) => s.id === sourceId)?.transform;
  if (!t) throw new Error(`no source ${sourceId} in scene ${sceneId}`);
  return t;
}

/**
 * Records through the API: starts, waits (up to `startMs`) until the engine receives the
 * renderer's first frames, records `seconds` more and stops. The caller decodes the file.
 */
export async function record(api: StudioApi, file: string, seconds: number, startMs = 60_000): Promise<void> {
  await api.startRecording({ path: file });
  const t0 = Date.now();
  for (;;) {
    const { mediaIn } = await api.getEngineStats();
    if (mediaIn.chunks + mediaIn.videoFrames >= 2) break;
    if (Date.now() - t0 > startMs) {
      await api.stopRecording();
      throw new Error(`no video from the studio page within ${startMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const rec = await api.stopRecording();
  if (rec.error) throw new Error(`recording failed: ${rec.error.message}`);
  if (!existsSync(file) || statSync(file).size === 0) throw new Error(`the recording ${file} is empty`);
}
