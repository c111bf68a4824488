// Issue #14, direct manipulation: a colour source dragged, resized and snapped in the preview with
// real pointer events lands where the user put it — in the engine's scene document and in a
// recording — each gesture is one undo step, and input that is not a clean gesture changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openStudio, type OpenStudio } from '../helpers/studio-process';
import { boxOf, rgbFrameAt } from '../helpers/frames';
import { drag, record, sceneDoc, shownAt, shownOnPage, toPage, transformOf } from '../helpers/preview';
import { probeFile } from '../peers/ffprobe';
import type { StudioApi } from '../../src/shared/api';
import { newSource } from '../../src/shared/scene/ops';

const W = 1280;
const H = 720;
const SCENE = 'edit';
const HOME = { x: 100, y: 100, width: 400, height: 200 };

describe('direct manipulation in the preview', () => {
  let open: OpenStudio;
  let page: Page;
  let api: StudioApi;
  const dir = mkdtempSync(join(tmpdir(), 'tandem-manip-'));

  beforeAll(async () => {
    open = await openStudio();
    ({ page, api } = open);
    await api.sceneOp({ op: 'addScene', id: SCENE, name: 'Edit' });
    const red = newSource('color', 'red', 'Red box', W, H);
    await api.sceneOp({ op: 'addSource', sceneId: SCENE, source: { ...red, settings: { kind: 'color', color: '#ff0000' }, transform: { ...red.transform, x: 100, y: 100, width: 400, height: 200 } } });
    const blue = newSource('color', 'blue', 'Locked blue', W, H);
    await api.sceneOp({ op: 'addSource', sceneId: SCENE, source: { ...blue, locked: true, settings: { kind: 'color', color: '#0000ff' }, transform: { ...blue.transform, x: 800, y: 460, width: 240, height: 160 } } });
    // (placed so that no edge or centre line of the box dropped at 600,300 lies within snapping
    // reach of one of its own: the snap radius is 8 CSS px, ~20 output px in a small preview)
    await api.setActiveScene({ id: SCENE });
    await page.locator('[data-testid=source-list] li').nth(1).waitFor({ timeout: 15_000 });
  });
  afterAll(async () => {
    await open?.close();
  });

  it('drags the box from (100,100) to (600,300): the document and a recording show it there', async () => {
    const s = await shownAt(page, W);
    const tol = 1 / s.zoom + 0.5; // one CSS pixel of pointer resolution, in output pixels
    await drag(page, toPage(s, 150, 150), toPage(s, 650, 350));
    await expect.poll(async () => (await transformOf(api, SCENE, 'red')).x, { timeout: 10_000 }).not.toBe(100);
    const t = await transformOf(api, SCENE, 'red');
    expect(Math.abs(t.x - 600)).toBeLessThanOrEqual(tol);
    expect(Math.abs(t.y - 300)).toBeLessThanOrEqual(tol);
    expect({ width: t.width, height: t.height }).toEqual({ width: 400, height: 200 });
    // the click selected it: the list shows it selected and the overlay draws its handles
    expect(await page.locator('[data-testid=source-list] button.row[aria-pressed=true]').textContent()).toContain('Red box');
    expect(await page.locator('[data-testid=selection] .handle').count()).toBe(8);

    const file = join(dir, 'drag.mkv');
    await record(api, file, 2.5);
    const probe = await probeFile(file);
    const rgb = rgbFrameAt(file, Math.max(0, Math.min(1.5, probe.durationSec - 0.5)), W, H);
    const red = boxOf(rgb, W, H, (r, g, b) => r > 180 && g < 80 && b < 80);
    expect(red, 'the red box is in the recording').not.toBeNull();
    const tx = 0.02 * W;
    const ty = 0.02 * H;
    expect(Math.abs(red!.x0 - 600)).toBeLessThanOrEqual(tx);
    expect(Math.abs(red!.y0 - 300)).toBeLessThanOrEqual(ty);
    expect(Math.abs(red!.x1 - 1000)).toBeLessThanOrEqual(tx);
    expect(Math.abs(red!.y1 - 500)).toBeLessThanOrEqual(ty);
    // no selection outline or handle reaches the program: only red, blue and black in the frame
    const stray = boxOf(rgb, W, H, (r, g, b) => g > 120 || (r > 200 && b > 200));
    expect(stray, 'no overlay pixels in the output').toBeNull();
  });

  it('undoes the drag in one step (Ctrl+Z with the preview focused)', async () => {
    const before = await transformOf(api, SCENE, 'red');
    await shownOnPage(page, before);
    const s = await shownAt(page, W);
    await drag(page, toPage(s, before.x + 50, before.y + 50), toPage(s, before.x + 250, before.y + 150));
    await expect.poll(async () => (await transformOf(api, SCENE, 'red')).x, { timeout: 10_000 }).not.toBe(before.x);
    await page.keyboard.press('Control+z');
    await expect.poll(async () => transformOf(api, SCENE, 'red'), { timeout: 10_000 }).toEqual(before);
  });

  it('resizes with the corner handle and Shift keeping the aspect ratio', async () => {
    const t0 = await transformOf(api, SCENE, 'red');
    await shownOnPage(page, t0);
    const s = await shownAt(page, W);
    await drag(page, toPage(s, t0.x + t0.width, t0.y + t0.height), toPage(s, t0.x + t0.width + 130, t0.y + t0.height + 20), { keys: ['Shift'] });
    await expect.poll(async () => (await transformOf(api, SCENE, 'red')).width, { timeout: 10_000 }).not.toBe(t0.width);
    const t = await transformOf(api, SCENE, 'red');
    expect(t.width).toBeGreaterThan(t0.width + 100);
    expect(Math.abs(t.height - (t.width * t0.height) / t0.width)).toBeLessThanOrEqual(1);
    expect({ x: t.x, y: t.y }).toEqual({ x: t0.x, y: t0.y }); // the opposite corner stays
  });

  it('snaps an edge exactly onto the canvas edge when dropped within the snap distance', async () => {
    await api.sceneOp({ op: 'setTransform', sceneId: SCENE, sourceId: 'red', transform: HOME });
    const t0 = await transformOf(api, SCENE, 'red');
    await shownOnPage(page, t0);
    const s = await shownAt(page, W);
    const snapOut = 8 / s.zoom;
    // left edge dropped 5 output px (well inside the snap distance) right of the canvas edge
    const dx = -(t0.x - 5);
    const grab = { x: t0.x + 40, y: t0.y + 40 };
    await drag(page, toPage(s, grab.x, grab.y), toPage(s, grab.x + dx, grab.y + 1));
    expect(5).toBeLessThan(snapOut);
    await expect.poll(async () => (await transformOf(api, SCENE, 'red')).x, { timeout: 10_000 }).toBe(0);
    // and a resize: the right edge dropped 6 output px short of the canvas edge goes onto it
    const t1 = await transformOf(api, SCENE, 'red');
    await shownOnPage(page, t1);
    const right = t1.x + t1.width;
    await drag(page, toPage(s, right, t1.y + t1.height / 2), toPage(s, W - 6, t1.y + t1.height / 2));
    await expect.poll(async () => {
      const t = await transformOf(api, SCENE, 'red');
      return t.x + t.width;
    }, { timeout: 10_000 }).toBe(W);
  });

  it('nudges with the arrow keys: 1 px, 10 px with Shift', async () => {
    const t0 = await transformOf(api, SCENE, 'red');
    await shownOnPage(page, t0);
    await page.getByTestId('preview-edit').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Shift+ArrowDown');
    await expect.poll(async () => {
      const t = await transformOf(api, SCENE, 'red');
      return [t.x, t.y];
    }, { timeout: 10_000 }).toEqual([t0.x + 1, t0.y + 10]);
  });

  it('crops by Alt-dragging a handle, and the panel has all four crop sides', async () => {
    await api.sceneOp({ op: 'setTransform', sceneId: SCENE, sourceId: 'red', transform: { ...HOME, crop: { left: 0, top: 0, right: 0, bottom: 0 } } });
    await shownOnPage(page, HOME);
    const s = await shownAt(page, W);
    // the right edge handle, Alt held at the press: 100 output px cut off the right
    await drag(page, toPage(s, HOME.x + HOME.width, HOME.y + HOME.height / 2), toPage(s, HOME.x + HOME.width - 100, HOME.y + HOME.height / 2), { keys: ['Alt'] });
    await expect.poll(async () => (await transformOf(api, SCENE, 'red')).crop.right, { timeout: 10_000 }).toBeGreaterThan(0);
    const t = await transformOf(api, SCENE, 'red');
    const tol = 1 / s.zoom + 0.5;
    expect(Math.abs(t.crop.right - 100)).toBeLessThanOrEqual(tol);
    expect(Math.abs(t.width - 300)).toBeLessThanOrEqual(tol);
    expect({ x: t.x, y: t.y, height: t.height, left: t.crop.left, top: t.crop.top, bottom: t.crop.bottom }).toEqual({ x: 100, y: 100, height: 200, left: 0, top: 0, bottom: 0 });
    // the properties panel: Crop L, R, T and B
    for (const name of ['Crop L', 'Crop R', 'Crop T', 'Crop B']) expect(await page.getByLabel(name, { exact: true }).count(), name).toBe(1);
    await api.undo();
    await expect.poll(async () => (await transformOf(api, SCENE, 'red')).crop.right, { timeout: 10_000 }).toBe(0);
  });

  it('bad input changes nothing: a press outside the canvas, a release outside the window, a locked source, Escape', async () => {
    await api.sceneOp({ op: 'setTransform', sceneId: SCENE, sourceId: 'red', transform: HOME });
    const s = await shownAt(page, W);
    const red = await transformOf(api, SCENE, 'red');
    const onRed = toPage(s, red.x + 30, red.y + 30);
    await page.mouse.click(onRed.x, onRed.y); // a click selects, and moves nothing
    await expect.poll(() => page.locator('[data-testid=selection] polygon').getAttribute('points'), { timeout: 10_000 }).toMatch(/^100,100 /);
    const before = JSON.stringify(await sceneDoc(api));
    const overlay = await page.getByTestId('preview-edit').boundingBox();
    if (!overlay) throw new Error('no overlay');
    // 1. pressed outside the canvas (the centre column's margin), dragged across the box, released on it
    await drag(page, { x: overlay.x - 6, y: overlay.y + overlay.height / 2 }, onRed);
    // 2. pressed on the box, released outside the window
    const vp = page.viewportSize() ?? { width: 1280, height: 720 };
    await drag(page, onRed, { x: vp.width + 40, y: -30 });
    // 3. pressed on the locked source (nothing unlocked under it) and dragged
    await drag(page, toPage(s, 900, 500), toPage(s, 300, 200));
    // 4. Escape during a drag restores the original
    await drag(page, onRed, toPage(s, red.x + 330, red.y + 130), { release: false });
    await page.keyboard.press('Escape');
    await page.mouse.up();
    // nothing reached the engine, and nothing is left half-applied on screen
    await new Promise((r) => setTimeout(r, 500));
    expect(JSON.stringify(await sceneDoc(api))).toBe(before);
    const pts = await page.locator('[data-testid=selection] polygon').getAttribute('points');
    if (pts) expect(pts.split(' ')[0]).toBe(`${red.x},${red.y}`);
    // 5. the locked source selected in the list: no handles, and a drag on it moves nothing
    await page.locator('[data-testid=source-list] button.row', { hasText: 'Locked blue' }).click();
    await shownOnPage(page, { x: 800, y: 460, width: 240, height: 160 });
    expect(await page.locator('[data-testid=selection] .handle').count()).toBe(0);
    await drag(page, toPage(s, 900, 500), toPage(s, 300, 200));
    await drag(page, toPage(s, 1040, 620), toPage(s, 1200, 700)); // where its corner handle would be
    await new Promise((r) => setTimeout(r, 500));
    expect(JSON.stringify(await sceneDoc(api))).toBe(before);
  });
});
