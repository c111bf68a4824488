// Direct manipulation over the preview (docs/ARCHITECTURE.md "Direct manipulation"): an HTML/SVG
// layer on top of the canvas, so outlines, handles and guides never reach the compositor or the
// program output. The geometry is in shared/scene/manipulate.ts; this turns pointer and key
// events into it. A gesture is previewed locally (onDraft) and sent as ONE setTransform op when
// the pointer is released inside the window; Escape, pointercancel, a lost capture or a release
// outside the window restore the original and send nothing.
import { useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import type { SceneSource, StudioScene, Transform } from '../../../shared/scene/model';
import {
  corners,
  cropDrag,
  handlePoint,
  hitHandle,
  hitTest,
  HANDLES,
  isNudgeKey,
  moveBy,
  nudge,
  resize,
  snapTargets,
  SNAP_SCREEN_PX,
  toOutput,
  transformPatch,
  type Guide,
  type Handle,
  type Size,
  type Snap,
  type Vec,
} from '../../../shared/scene/manipulate';
import { useT } from '../i18n';

/** A gesture in progress, shown locally until it is committed. */
export interface Draft {
  sceneId: string;
  sourceId: string;
  transform: Transform;
}

interface Props {
  scene: StudioScene;
  out: Size;
  selected: string | null;
  onSelect: (id: string | null) => void;
  draft: Draft | null;
  onDraft: (d: Draft | null) => void;
  /** Sends the one op of a finished gesture (the draft's); settles when the engine has answered. */
  commit: (sourceId: string, patch: Partial<Transform>, dropped?: Transform) => Promise<unknown>;
  /** The source's picture size in source pixels (for Alt-drag crop), null if it has none. */
  contentSize: (sourceId: string) => Size | null;
}

interface Gesture {
  pointerId: number;
  sourceId: string;
  kind: 'move' | 'resize' | 'crop';
  handle: Handle;
  start: Transform;
  startPt: Vec;
  snap: Snap;
  content: Size | null;
  last: Transform;
  moved: boolean;
}

/** Handle size on screen, CSS pixels. */
const HANDLE_PX = 9;
/** Movement below this (CSS pixels) is a click, not a drag. */
const DRAG_SLOP_PX = 2;

const CURSOR: Record<Handle, string> = { nw: 'nwse-resize', se: 'nwse-resize', ne: 'nesw-resize', sw: 'nesw-resize', n: 'ns-resize', s: 'ns-resize', e: 'ew-resize', w: 'ew-resize' };

export function PreviewOverlay({ scene, out, selected, onSelect, draft, onDraft, commit, contentSize }: Props) {
  const tr = useT();
  const ref = useRef<HTMLDivElement>(null);
  const gesture = useRef<Gesture | null>(null);
  const [guides, setGuides] = useState<Guide[]>([]);
  const [cursor, setCursor] = useState('default');
  const [cssWidth, setCssWidth] = useState(out.width);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setCssWidth(el.getBoundingClientRect().width || out.width));
    ro.observe(el);
    return () => ro.disconnect();
  }, [out.width]);

  /** CSS pixels per output pixel. */
  const zoom = cssWidth / out.width;
  const pointOf = (e: { clientX: number; clientY: number }): Vec => {
    const r = ref.current?.getBoundingClientRect();
    return r ? toOutput({ x: e.clientX, y: e.clientY }, r, out) : { x: -1, y: -1 };
  };
  const shownTransform = (s: SceneSource): Transform => (draft && draft.sceneId === scene.id && draft.sourceId === s.id ? draft.transform : s.transform);
  const sel = scene.sources.find((s) => s.id === selected);
  const editable = (s: SceneSource | undefined): s is SceneSource => !!s && s.visible && !s.locked;

  const cancel = () => {
    const g = gesture.current;
    if (!g) return;
    gesture.current = null;
    if (ref.current?.hasPointerCapture(g.pointerId)) ref.current.releasePointerCapture(g.pointerId);
    setGuides([]);
    onDraft(null);
  };

  // Escape cancels a drag wherever the focus is.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key === 'Escape' && gesture.current) {
        e.preventDefault();
        cancel();
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  });

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0 || gesture.current) return;
    const el = ref.current;
    if (!el) return;
    el.focus({ preventScroll: true });
    const p = pointOf(e);
    if (p.x < 0 || p.y < 0 || p.x > out.width || p.y > out.height) return;
    let target: SceneSource | undefined;
    let handle: Handle | undefined;
    if (editable(sel)) {
      handle = hitHandle(sel.transform, p, (HANDLE_PX / 2 + 3) / zoom);
      if (handle) target = sel;
    }
    if (!target) {
      target = hitTest(scene, p);
      onSelect(target?.id ?? null);
    }
    if (!target) return;
    e.preventDefault();
    // Capture: the drag keeps its events when the pointer leaves the canvas or the window.
    try {
      el.setPointerCapture(e.pointerId);
    } catch {
      return; // the pointer is already gone
    }
    gesture.current = {
      pointerId: e.pointerId,
      sourceId: target.id,
      kind: handle ? (e.altKey ? 'crop' : 'resize') : 'move',
      handle: handle ?? 'se',
      start: target.transform,
      startPt: p,
      snap: { targets: snapTargets(scene, target.id, out), threshold: SNAP_SCREEN_PX / zoom },
      content: contentSize(target.id),
      last: target.transform,
      moved: false,
    };
  };

  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const g = gesture.current;
    const p = pointOf(e);
    if (!g) {
      if (e.buttons !== 0) return;
      // Hover: the cursor says what a press would do.
      const h = editable(sel) ? hitHandle(sel.transform, p, (HANDLE_PX / 2 + 3) / zoom) : undefined;
      setCursor(h ? CURSOR[h] : hitTest(scene, p) ? 'move' : 'default');
      return;
    }
    if (e.pointerId !== g.pointerId) return;
    const d = { x: p.x - g.startPt.x, y: p.y - g.startPt.y };
    if (!g.moved && Math.max(Math.abs(d.x), Math.abs(d.y)) * zoom < DRAG_SLOP_PX) return;
    g.moved = true;
    let next: Transform;
    let lines: Guide[] = [];
    if (g.kind === 'move') ({ transform: next, guides: lines } = moveBy(g.start, d, g.snap));
    else if (g.kind === 'crop') next = cropDrag(g.start, g.handle, d, g.content);
    else {
      // Ctrl (or Alt, once the drag has begun: Alt at the press crops) resizes from the centre.
      const mods = { aspect: e.shiftKey, fromCentre: e.ctrlKey || e.metaKey || e.altKey };
      ({ transform: next, guides: lines } = resize(g.start, g.handle, d, mods, g.snap));
    }
    g.last = next;
    setGuides(lines);
    onDraft({ sceneId: scene.id, sourceId: g.sourceId, transform: next });
  };

  const onPointerUp = (e: PointerEvent<HTMLDivElement>) => {
    const g = gesture.current;
    if (!g || e.pointerId !== g.pointerId) return;
    const outside = e.clientX < 0 || e.clientY < 0 || e.clientX >= window.innerWidth || e.clientY >= window.innerHeight;
    const patch = transformPatch(g.start, g.last);
    if (outside || !g.moved || Object.keys(patch).length === 0) return cancel();
    gesture.current = null;
    if (ref.current?.hasPointerCapture(g.pointerId)) ref.current.releasePointerCapture(g.pointerId);
    setGuides([]);
    // The draft stays on screen until the document shows the op (Stage drops it then).
    void commit(g.sourceId, patch, g.last);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (gesture.current || !isNudgeKey(e.key) || e.ctrlKey || e.metaKey || e.altKey) return;
    e.preventDefault();
    if (!editable(sel)) return;
    // `scene` holds the draft of a nudge the document does not show yet: the next builds on it.
    const base = sel.transform;
    const xy = nudge(base, e.key, e.shiftKey);
    void commit(sel.id, xy, { ...base, ...xy });
  };

  const hs = HANDLE_PX / zoom;
  const selT = sel ? shownTransform(sel) : null;
  return (
    <div
      ref={ref}
      className="preview-edit"
      data-testid="preview-edit"
      tabIndex={0}
      aria-label={tr('edit.label', { name: scene.name })}
      style={{ cursor }}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={cancel}
      onLostPointerCapture={cancel}
      onKeyDown={onKeyDown}
      onContextMenu={(e) => e.preventDefault()}
    >
      <svg viewBox={`0 0 ${out.width} ${out.height}`} preserveAspectRatio="none" aria-hidden="true">
        {sel && selT && sel.visible && (
          <g className={sel.locked ? 'sel sel-locked' : 'sel'} data-testid="selection">
            <polygon points={corners(selT).map((c) => `${c.x},${c.y}`).join(' ')} />
            {!sel.locked &&
              HANDLES.map((h) => {
                const q = handlePoint(selT, h);
                return <rect key={h} className="handle" data-handle={h} x={q.x - hs / 2} y={q.y - hs / 2} width={hs} height={hs} />;
              })}
          </g>
        )}
        {guides.map((g) =>
          g.axis === 'x' ? <line key={`x${g.at}`} className="guide" x1={g.at} y1={0} x2={g.at} y2={out.height} /> : <line key={`y${g.at}`} className="guide" x1={0} y1={g.at} x2={out.width} y2={g.at} />,
        )}
      </svg>
    </div>
  );
}
