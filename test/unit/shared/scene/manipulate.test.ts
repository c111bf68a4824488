import { describe, expect, it } from 'vitest';
import { bounds, contains, cropDrag, handlePoint, hitHandle, hitTest, moveBy, nudge, resize, snapTargets, toLocal, toOutput, transformPatch, withTransform, type Snap } from '../../../../src/shared/scene/manipulate';
import { defaultTransform, type SceneSource, type StudioScene, type Transform } from '../../../../src/shared/scene/model';
import { newSource } from '../../../../src/shared/scene/ops';
import { quadMatrix, applyMat3 } from '../../../../src/shared/scene/geometry';

const OUT = { width: 1280, height: 720 };
const box = (x: number, y: number, width: number, height: number, extra: Partial<Transform> = {}): Transform => ({ ...defaultTransform(width, height), x, y, ...extra });
const src = (id: string, t: Transform, extra: Partial<SceneSource> = {}): SceneSource => ({ ...newSource('color', id, id, 1280, 720), transform: t, ...extra });
const noSnap: Snap = { targets: { xs: [], ys: [] }, threshold: 0 };

describe('hit testing', () => {
  const scene: StudioScene = {
    id: 's',
    name: 'S',
    sources: [src('bottom', box(0, 0, 1280, 720)), src('middle', box(100, 100, 400, 200)), src('locked', box(150, 150, 100, 100), { locked: true }), src('hidden', box(120, 120, 50, 50), { visible: false })],
  };
  it('picks the topmost visible unlocked source', () => {
    expect(hitTest(scene, { x: 200, y: 200 })?.id).toBe('middle'); // through the locked one
    expect(hitTest(scene, { x: 130, y: 130 })?.id).toBe('middle'); // through the hidden one
    expect(hitTest(scene, { x: 700, y: 600 })?.id).toBe('bottom');
    expect(hitTest(scene, { x: -5, y: 10 })).toBeUndefined();
  });
  it('follows rotation, matching the compositor', () => {
    const t = box(100, 100, 400, 100, { rotation: 90 });
    // rotated about (300,150): now spans x 250..350, y −50..350
    expect(contains(t, { x: 300, y: 0 })).toBe(true);
    expect(contains(t, { x: 450, y: 150 })).toBe(false);
    const m = quadMatrix(t);
    const [px, py] = applyMat3(m, 0.25, 0.75);
    const l = toLocal(t, { x: px, y: py });
    expect(l.x).toBeCloseTo(100);
    expect(l.y).toBeCloseTo(75);
    const b = bounds(t);
    expect(b.x0).toBeCloseTo(250);
    expect(b.y1).toBeCloseTo(350);
  });
  it('finds the handle nearest the pointer within the radius', () => {
    const t = box(100, 100, 400, 200);
    expect(handlePoint(t, 'se')).toEqual({ x: 500, y: 300 });
    expect(hitHandle(t, { x: 503, y: 297 }, 6)).toBe('se');
    expect(hitHandle(t, { x: 300, y: 99 }, 6)).toBe('n');
    expect(hitHandle(t, { x: 300, y: 200 }, 6)).toBeUndefined();
  });
});

describe('move and snap', () => {
  const scene: StudioScene = { id: 's', name: 'S', sources: [src('a', box(100, 100, 400, 200)), src('b', box(950, 550, 100, 100))] };
  const snap: Snap = { targets: snapTargets(scene, 'a', OUT), threshold: 8 };
  it('moves by whole output pixels without snapping far from any line', () => {
    const r = moveBy(box(100, 100, 400, 200), { x: 500.4, y: 199.6 }, snap);
    expect(r.transform).toMatchObject({ x: 600, y: 300, width: 400, height: 200 });
    expect(r.guides).toEqual([]);
  });
  it('puts an edge exactly on the canvas edge within the snap distance, with a guide', () => {
    const r = moveBy(box(100, 100, 400, 200), { x: -95, y: 415 }, snap); // left 5 → 0, bottom 715 → 720
    expect(r.transform.x).toBe(0);
    expect(r.transform.y + r.transform.height).toBe(720);
    expect(r.guides).toEqual([
      { axis: 'x', at: 0 },
      { axis: 'y', at: 720 },
    ]);
  });
  it('snaps to the centre lines and other sources’ edges', () => {
    const c = moveBy(box(100, 100, 400, 200), { x: 343, y: 0 }, snap); // centre 643 → 640
    expect(c.transform.x + 200).toBe(640);
    expect(c.guides).toContainEqual({ axis: 'x', at: 640 });
    const e = moveBy(box(100, 100, 400, 200), { x: 447, y: 0 }, snap); // right 947 → b's left 950
    expect(e.transform.x + 400).toBe(950);
    const none = moveBy(box(100, 100, 400, 200), { x: 0, y: 0 }, { ...snap, threshold: 0 });
    expect(none.guides).toEqual([]);
  });
  it('lists canvas lines and visible other sources only', () => {
    const t = snapTargets({ ...scene, sources: [...scene.sources, src('h', box(5, 5, 5, 5), { visible: false })] }, 'a', OUT);
    expect(t.xs).toEqual([0, 640, 1280, 950, 1050]);
    expect(t.ys).toEqual([0, 360, 720, 550, 650]);
  });
});

describe('resize', () => {
  const start = box(100, 100, 400, 200);
  const free = { aspect: false, fromCentre: false };
  it('moves only the dragged edges, keeping the opposite corner', () => {
    const r = resize(start, 'se', { x: 50, y: -20 }, free, noSnap).transform;
    expect(r).toMatchObject({ x: 100, y: 100, width: 450, height: 180 });
    const l = resize(start, 'nw', { x: 50, y: 20 }, free, noSnap).transform;
    expect(l).toMatchObject({ x: 150, y: 120, width: 350, height: 180 });
    const e = resize(start, 'e', { x: 30, y: 99 }, free, noSnap).transform;
    expect(e).toMatchObject({ x: 100, y: 100, width: 430, height: 200 });
  });
  it('keeps the aspect ratio with Shift, the larger movement driving', () => {
    const r = resize(start, 'se', { x: 200, y: 10 }, { aspect: true, fromCentre: false }, noSnap).transform;
    expect(r.width).toBe(600);
    expect(Math.abs(r.height - 300)).toBeLessThanOrEqual(1);
    expect(r).toMatchObject({ x: 100, y: 100 });
    const n = resize(start, 'nw', { x: 10, y: 50 }, { aspect: true, fromCentre: false }, noSnap).transform; // height 150 drives
    expect(n).toMatchObject({ width: 300, height: 150, x: 200, y: 150 });
    // an edge handle scales the other axis about its centre
    const s = resize(start, 's', { x: 0, y: 100 }, { aspect: true, fromCentre: false }, noSnap).transform;
    expect(s).toMatchObject({ width: 600, height: 300, x: 0, y: 100 });
  });
  it('resizes about the centre', () => {
    const r = resize(start, 'e', { x: 50, y: 0 }, { aspect: false, fromCentre: true }, noSnap).transform;
    expect(r).toMatchObject({ x: 50, width: 500, y: 100, height: 200 });
  });
  it('never goes below 1 px or flips', () => {
    const r = resize(start, 'se', { x: -1000, y: -1000 }, free, noSnap).transform;
    expect(r.width).toBe(1);
    expect(r.height).toBe(1);
    expect(r).toMatchObject({ x: 100, y: 100 });
  });
  it('snaps the moving edge to the canvas edge', () => {
    const snap: Snap = { targets: { xs: [0, 640, 1280], ys: [0, 360, 720] }, threshold: 8 };
    const r = resize(box(100, 100, 400, 200), 'se', { x: 775, y: 10 }, free, snap);
    expect(r.transform.x + r.transform.width).toBe(1280);
    expect(r.transform.height).toBe(210);
    expect(r.guides).toEqual([{ axis: 'x', at: 1280 }]);
    const w = resize(box(100, 100, 400, 200), 'w', { x: -95, y: 0 }, free, snap).transform;
    expect(w).toMatchObject({ x: 0, width: 500 });
  });
  it('keeps the un-dragged corner fixed on screen when rotated', () => {
    const t = box(100, 100, 400, 200, { rotation: 30 });
    const fixedBefore = handlePoint(t, 'nw');
    const r = resize(t, 'se', { x: 40, y: 40 }, free, noSnap).transform;
    const fixedAfter = handlePoint(r, 'nw');
    expect(fixedAfter.x).toBeCloseTo(fixedBefore.x, 0);
    expect(fixedAfter.y).toBeCloseTo(fixedBefore.y, 0);
    expect(r.rotation).toBe(30);
  });
});

describe('crop', () => {
  it('cuts into the picture at its scale: the box shrinks, the content does not move', () => {
    // a 640×360 picture shown at 2× (1280×720)
    const t = box(0, 0, 1280, 720);
    const r = cropDrag(t, 'e', { x: -200, y: 0 }, { width: 640, height: 360 });
    expect(r.crop.right).toBe(100);
    expect(r).toMatchObject({ x: 0, width: 1080, height: 720 });
    const top = cropDrag(t, 'n', { x: 0, y: 100 }, { width: 640, height: 360 });
    expect(top.crop.top).toBe(50);
    expect(top).toMatchObject({ y: 100, height: 620 });
    const both = cropDrag(t, 'sw', { x: 40, y: -40 }, { width: 640, height: 360 });
    expect(both.crop).toEqual({ left: 20, top: 0, right: 0, bottom: 20 });
    expect(both).toMatchObject({ x: 40, y: 0, width: 1240, height: 680 });
  });
  it('never crops below 0 or past the last pixel', () => {
    const t = box(0, 0, 640, 360);
    const out = cropDrag(t, 'w', { x: -100, y: 0 }, { width: 640, height: 360 });
    expect(out.crop.left).toBe(0);
    expect(out.width).toBe(640);
    const all = cropDrag(t, 'w', { x: 5000, y: 0 }, { width: 640, height: 360 });
    expect(all.crop.left).toBe(639);
    expect(all.width).toBeCloseTo(1);
  });
  it('counts output pixels for a source with no picture', () => {
    const r = cropDrag(box(10, 10, 100, 100), 's', { x: 0, y: -30 }, null);
    expect(r.crop.bottom).toBe(30);
    expect(r.height).toBe(70);
  });
});

describe('nudge, pointer mapping, patches', () => {
  it('nudges 1 px, 10 with Shift', () => {
    const t = box(100, 100, 10, 10);
    expect(nudge(t, 'ArrowLeft', false)).toEqual({ x: 99, y: 100 });
    expect(nudge(t, 'ArrowDown', true)).toEqual({ x: 100, y: 110 });
  });
  it('maps client pixels onto the output', () => {
    expect(toOutput({ x: 350, y: 190 }, { left: 30, top: 10, width: 640, height: 360 }, OUT)).toEqual({ x: 640, y: 360 });
  });
  it('patches only what changed, and replaces one transform in a document', () => {
    const a = box(1, 2, 3, 4);
    expect(transformPatch(a, { ...a, x: 5 })).toEqual({ x: 5 });
    expect(transformPatch(a, a)).toEqual({});
    expect(transformPatch(a, { ...a, crop: { ...a.crop, top: 2 } })).toEqual({ crop: { left: 0, top: 2, right: 0, bottom: 0 } });
    const doc = { version: 3 as const, activeSceneId: 's', transition: { kind: 'cut' as const, durationMs: 0 }, studioMode: { enabled: false, previewSceneId: 's', swap: false }, scenes: [{ id: 's', name: 'S', sources: [src('a', a)] }] };
    const next = withTransform(doc, 's', 'a', { ...a, x: 9 });
    expect(next.scenes[0]?.sources[0]?.transform.x).toBe(9);
    expect(doc.scenes[0]?.sources[0]?.transform.x).toBe(1);
  });
});
