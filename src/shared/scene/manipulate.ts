// Pure geometry of direct manipulation in the preview (docs/ARCHITECTURE.md "Direct manipulation"):
// hit testing, the eight resize handles, move/resize/crop drags, snapping and nudges. Every
// position here is in output pixels; a transform's box is rotated about its centre (geometry.ts).
// The preview overlay turns pointer events into calls to these functions and sends one
// setTransform op per gesture.
import type { SceneDoc, SceneSource, StudioScene, Transform } from './model';

export interface Vec {
  x: number;
  y: number;
}
export interface Size {
  width: number;
  height: number;
}
export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export type Handle = 'nw' | 'n' | 'ne' | 'e' | 'se' | 's' | 'sw' | 'w';
export const HANDLES: readonly Handle[] = ['nw', 'n', 'ne', 'e', 'se', 's', 'sw', 'w'];

/** Which edges a handle moves: −1 the left/top edge, +1 the right/bottom edge, 0 neither. */
export const HANDLE_DIR: Readonly<Record<Handle, readonly [-1 | 0 | 1, -1 | 0 | 1]>> = {
  nw: [-1, -1],
  n: [0, -1],
  ne: [1, -1],
  e: [1, 0],
  se: [1, 1],
  s: [0, 1],
  sw: [-1, 1],
  w: [-1, 0],
};

/** Snap distance in screen (CSS) pixels; divide by the preview's zoom to get output pixels. */
export const SNAP_SCREEN_PX = 8;

const rad = (deg: number): number => (deg * Math.PI) / 180;

function rotate(v: Vec, deg: number): Vec {
  if (deg % 360 === 0) return { x: v.x, y: v.y };
  const c = Math.cos(rad(deg));
  const s = Math.sin(rad(deg));
  return { x: c * v.x - s * v.y, y: s * v.x + c * v.y };
}

export function centre(t: Transform): Vec {
  return { x: t.x + t.width / 2, y: t.y + t.height / 2 };
}

/** A point of the box given in box-local units (0..width, 0..height), in output pixels. */
export function fromLocal(t: Transform, p: Vec): Vec {
  const c = centre(t);
  const r = rotate({ x: p.x - t.width / 2, y: p.y - t.height / 2 }, t.rotation);
  return { x: c.x + r.x, y: c.y + r.y };
}

/** An output point in box-local units: (0,0) is the box's top-left corner before rotation. */
export function toLocal(t: Transform, p: Vec): Vec {
  const c = centre(t);
  const r = rotate({ x: p.x - c.x, y: p.y - c.y }, -t.rotation);
  return { x: r.x + t.width / 2, y: r.y + t.height / 2 };
}

/** The four corners (nw, ne, se, sw) in output pixels. */
export function corners(t: Transform): [Vec, Vec, Vec, Vec] {
  return [fromLocal(t, { x: 0, y: 0 }), fromLocal(t, { x: t.width, y: 0 }), fromLocal(t, { x: t.width, y: t.height }), fromLocal(t, { x: 0, y: t.height })];
}

/** The axis-aligned bounding box of the (possibly rotated) box. */
export function bounds(t: Transform): Rect {
  const cs = corners(t);
  const xs = cs.map((c) => c.x);
  const ys = cs.map((c) => c.y);
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
}

export function contains(t: Transform, p: Vec): boolean {
  const l = toLocal(t, p);
  return l.x >= 0 && l.y >= 0 && l.x <= t.width && l.y <= t.height;
}

/** The source a click selects: the topmost visible, unlocked source under the point. */
export function hitTest(scene: StudioScene, p: Vec): SceneSource | undefined {
  for (let i = scene.sources.length - 1; i >= 0; i--) {
    const s = scene.sources[i];
    if (s && s.visible && !s.locked && contains(s.transform, p)) return s;
  }
  return undefined;
}

export function handlePoint(t: Transform, h: Handle): Vec {
  const [hx, hy] = HANDLE_DIR[h];
  return fromLocal(t, { x: ((hx + 1) / 2) * t.width, y: ((hy + 1) / 2) * t.height });
}

/** The handle within `radius` output pixels of the point (the nearest one), if any. */
export function hitHandle(t: Transform, p: Vec, radius: number): Handle | undefined {
  let best: Handle | undefined;
  let bestD = radius;
  for (const h of HANDLES) {
    const q = handlePoint(t, h);
    const d = Math.max(Math.abs(q.x - p.x), Math.abs(q.y - p.y));
    if (d <= bestD) {
      best = h;
      bestD = d;
    }
  }
  return best;
}

/** Lines a dragged edge can snap to: the canvas edges and centre lines, other sources' edges. */
export interface SnapTargets {
  xs: number[];
  ys: number[];
}

/** A guide drawn while snapped: a vertical line at x = `at` or a horizontal one at y = `at`. */
export interface Guide {
  axis: 'x' | 'y';
  at: number;
}

export interface Snap {
  targets: SnapTargets;
  /** Output pixels. */
  threshold: number;
}

export function snapTargets(scene: StudioScene, exceptId: string, out: Size): SnapTargets {
  const xs = [0, out.width / 2, out.width];
  const ys = [0, out.height / 2, out.height];
  for (const s of scene.sources) {
    if (s.id === exceptId || !s.visible) continue;
    const b = bounds(s.transform);
    xs.push(b.x0, b.x1);
    ys.push(b.y0, b.y1);
  }
  return { xs, ys };
}

/** The nearest target to any of `values` within `threshold`: which value, and the target. */
function nearest(values: readonly number[], targets: readonly number[], threshold: number): { index: number; target: number } | null {
  let best: { index: number; target: number } | null = null;
  let bestD = threshold;
  for (let index = 0; index < values.length; index++) {
    const v = values[index] ?? NaN;
    for (const target of targets) {
      const d = Math.abs(target - v);
      if (d <= bestD) {
        bestD = d;
        best = { index, target };
      }
    }
  }
  return best;
}

export interface DragResult {
  transform: Transform;
  guides: Guide[];
}

/** Moves the box by `d`; its bounding box's edges or centre snap to the targets. */
export function moveBy(start: Transform, d: Vec, snap?: Snap): DragResult {
  const x = Math.round(start.x + d.x);
  const y = Math.round(start.y + d.y);
  const moved = { ...start, x, y };
  const guides: Guide[] = [];
  if (!snap) return { transform: moved, guides };
  const b = bounds(moved);
  // Each axis: the bounding box's low edge, centre and high edge, nearest target wins.
  const axis = (lo: number, hi: number, targets: readonly number[], a: 'x' | 'y'): number => {
    const values = [lo, (lo + hi) / 2, hi];
    const hit = nearest(values, targets, snap.threshold);
    if (!hit) return 0;
    guides.push({ axis: a, at: hit.target });
    return hit.target - (values[hit.index] ?? hit.target);
  };
  const dx = axis(b.x0, b.x1, snap.targets.xs, 'x');
  const dy = axis(b.y0, b.y1, snap.targets.ys, 'y');
  return { transform: { ...start, x: x + dx, y: y + dy }, guides };
}

export interface ResizeMods {
  /** Shift: keep the aspect ratio. */
  aspect: boolean;
  /** Resize about the centre instead of the opposite edge. */
  fromCentre: boolean;
}

/**
 * One axis of a resize: the new size from the pointer's movement along the axis (`delta`, in
 * box-local pixels), snapping a moving edge to `targets` (only given for unrotated boxes).
 */
function axisSize(pos: number, size: number, dir: -1 | 0 | 1, delta: number, fromCentre: boolean, targets: readonly number[] | null, threshold: number): { size: number; guide?: number } {
  if (dir === 0) return { size };
  const raw = Math.max(1, size + dir * delta * (fromCentre ? 2 : 1));
  if (targets) {
    const c = pos + size / 2;
    // The edges that move, each with the size that puts it on a given line.
    const edges: { at: number; sizeFor: (t: number) => number }[] = fromCentre
      ? [
          { at: c - raw / 2, sizeFor: (t) => 2 * (c - t) },
          { at: c + raw / 2, sizeFor: (t) => 2 * (t - c) },
        ]
      : dir > 0
        ? [{ at: pos + raw, sizeFor: (t) => t - pos }]
        : [{ at: pos + size - raw, sizeFor: (t) => pos + size - t }];
    const hit = nearest(
      edges.map((e) => e.at),
      targets,
      threshold,
    );
    const edge = hit ? edges[hit.index] : undefined;
    if (hit && edge) {
      const snapped = edge.sizeFor(hit.target);
      if (snapped >= 1) return { size: snapped, guide: hit.target };
    }
  }
  return { size: Math.round(raw) };
}

/** Places a box of a new size so the edges a handle does not move stay where they were. */
function anchored(start: Transform, dir: readonly [number, number], width: number, height: number, fromCentre: boolean): Transform {
  const c = centre(start);
  const k = fromCentre ? 0 : 0.5;
  const shift = rotate({ x: dir[0] * (width - start.width) * k, y: dir[1] * (height - start.height) * k }, start.rotation);
  return { ...start, x: c.x + shift.x - width / 2, y: c.y + shift.y - height / 2, width, height };
}

/** Resizes by dragging handle `h` by `d` (output pixels). */
export function resize(start: Transform, h: Handle, d: Vec, mods: ResizeMods, snap?: Snap): DragResult {
  const dir = HANDLE_DIR[h];
  const [hx, hy] = dir;
  const ld = rotate(d, -start.rotation);
  // Snapping works on unrotated boxes only, where an edge is a line of the canvas.
  const upright = start.rotation % 360 === 0;
  const thr = snap?.threshold ?? 0;
  const tx = upright && snap ? snap.targets.xs : null;
  const ty = upright && snap ? snap.targets.ys : null;
  let wx = axisSize(start.x, start.width, hx, ld.x, mods.fromCentre, tx, thr);
  let wy = axisSize(start.y, start.height, hy, ld.y, mods.fromCentre, ty, thr);
  if (mods.aspect) {
    const ratio = start.width / start.height;
    // The axis that moved more (relative to its size) drives; the other follows the ratio.
    const rawX = hx ? Math.abs(axisSize(start.x, start.width, hx, ld.x, mods.fromCentre, null, 0).size / start.width - 1) : -1;
    const rawY = hy ? Math.abs(axisSize(start.y, start.height, hy, ld.y, mods.fromCentre, null, 0).size / start.height - 1) : -1;
    if (rawX >= rawY) wy = { size: Math.max(1, Math.round(wx.size / ratio)) };
    else wx = { size: Math.max(1, Math.round(wy.size * ratio)) };
  }
  // An edge handle (dir 0 on the other axis) keeps that axis centred.
  const transform = anchored(start, dir, wx.size, wy.size, mods.fromCentre);
  const guides: Guide[] = [];
  if (wx.guide !== undefined) guides.push({ axis: 'x', at: wx.guide });
  if (wy.guide !== undefined) guides.push({ axis: 'y', at: wy.guide });
  return { transform, guides };
}

/**
 * Crops by dragging handle `h` by `d` (Alt-drag): the dragged edge cuts into the picture, which
 * keeps its scale. `content` is the source's picture size in source pixels; null when it has
 * none (a colour), where crop is counted in output pixels.
 */
export function cropDrag(start: Transform, h: Handle, d: Vec, content: Size | null): Transform {
  const [hx, hy] = HANDLE_DIR[h];
  const ld = rotate(d, -start.rotation);
  const c = start.crop;
  const cw = content ? content.width - c.left - c.right : start.width;
  const ch = content ? content.height - c.top - c.bottom : start.height;
  // Output pixels per source pixel along each axis.
  const sx = cw > 0 ? start.width / cw : 1;
  const sy = ch > 0 ? start.height / ch : 1;
  const crop = { ...c };
  let width = start.width;
  let height = start.height;
  // One edge of an axis: crop grows as the edge moves inward, never below 0 nor past 1 px shown.
  const edge = (key: 'left' | 'right' | 'top' | 'bottom', inward: number, scale: number, other: number, total: number | null, size: number): number => {
    const max = Math.min(total === null ? Infinity : total - other - 1, c[key] + (size - 1) / scale);
    const next = Math.max(0, Math.min(max, c[key] + inward / scale));
    crop[key] = next;
    return size - (next - c[key]) * scale;
  };
  if (hx > 0) width = edge('right', -ld.x, sx, c.left, content?.width ?? null, start.width);
  if (hx < 0) width = edge('left', ld.x, sx, c.right, content?.width ?? null, start.width);
  if (hy > 0) height = edge('bottom', -ld.y, sy, c.top, content?.height ?? null, start.height);
  if (hy < 0) height = edge('top', ld.y, sy, c.bottom, content?.height ?? null, start.height);
  return { ...anchored(start, [hx, hy], width, height, false), crop };
}

export type NudgeKey = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown';
export const isNudgeKey = (k: string): k is NudgeKey => k === 'ArrowLeft' || k === 'ArrowRight' || k === 'ArrowUp' || k === 'ArrowDown';

/** Arrow keys move by 1 output pixel, with Shift by 10. */
export function nudge(t: Transform, key: NudgeKey, shift: boolean): Pick<Transform, 'x' | 'y'> {
  const step = shift ? 10 : 1;
  const dx = key === 'ArrowLeft' ? -step : key === 'ArrowRight' ? step : 0;
  const dy = key === 'ArrowUp' ? -step : key === 'ArrowDown' ? step : 0;
  return { x: t.x + dx, y: t.y + dy };
}

/** A pointer position (client pixels) in output pixels, given where the output is shown. */
export function toOutput(client: Vec, shown: { left: number; top: number; width: number; height: number }, out: Size): Vec {
  return { x: ((client.x - shown.left) / shown.width) * out.width, y: ((client.y - shown.top) / shown.height) * out.height };
}

/** The document with one source's transform replaced (a drag in progress, shown locally). */
export function withTransform(doc: SceneDoc, sceneId: string, sourceId: string, transform: Transform): SceneDoc {
  return {
    ...doc,
    scenes: doc.scenes.map((sc) => (sc.id !== sceneId ? sc : { ...sc, sources: sc.sources.map((s) => (s.id === sourceId ? { ...s, transform } : s)) })),
  };
}

/** The fields of a transform that differ, for a setTransform op (empty when nothing moved). */
export function transformPatch(from: Transform, to: Transform): Partial<Transform> {
  const patch: Partial<Transform> = {};
  for (const k of ['x', 'y', 'width', 'height', 'rotation', 'opacity'] as const) if (from[k] !== to[k]) patch[k] = to[k];
  const c = from.crop;
  const n = to.crop;
  if (c.left !== n.left || c.top !== n.top || c.right !== n.right || c.bottom !== n.bottom) patch.crop = { ...n };
  return patch;
}
