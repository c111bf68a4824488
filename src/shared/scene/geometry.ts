// Pure 2D geometry for the compositor: a source's transform becomes a 3×3 matrix that maps the
// unit quad (0..1, 0..1) to output pixels, rotated about the box centre; crop becomes a UV rect.
import type { Transform } from './model';

/** Column-major 3×3 matrix, as WebGL's uniformMatrix3fv expects. */
export type Mat3 = [number, number, number, number, number, number, number, number, number];

export function quadMatrix(t: Transform): Mat3 {
  const rad = (t.rotation * Math.PI) / 180;
  const c = Math.cos(rad);
  const s = Math.sin(rad);
  const cx = t.x + t.width / 2;
  const cy = t.y + t.height / 2;
  // p = R · (S · u − half) + centre, u ∈ [0,1]²
  const a = c * t.width;
  const b = s * t.width;
  const d = -s * t.height;
  const e = c * t.height;
  const tx = cx - (a + d) / 2;
  const ty = cy - (b + e) / 2;
  return [a, b, 0, d, e, 0, tx, ty, 1];
}

export function applyMat3(m: Mat3, x: number, y: number): [number, number] {
  return [m[0] * x + m[3] * y + m[6], m[1] * x + m[4] * y + m[7]];
}

/** The part of the source texture shown after cropping, in UV units (0..1). */
export function cropUv(crop: Transform['crop'], srcW: number, srcH: number): { u0: number; v0: number; u1: number; v1: number } {
  if (srcW <= 0 || srcH <= 0) return { u0: 0, v0: 0, u1: 1, v1: 1 };
  const u0 = Math.min(1, crop.left / srcW);
  const v0 = Math.min(1, crop.top / srcH);
  const u1 = Math.max(u0, 1 - crop.right / srcW);
  const v1 = Math.max(v0, 1 - crop.bottom / srcH);
  return { u0, v0, u1, v1 };
}

/** BT.709 limited-range RGB (0..1) → Y'CbCr (0..255), the matrix the I420 shader uses. */
export function rgbToYuv709(r: number, g: number, b: number): [number, number, number] {
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const cb = (b - y) / 1.8556;
  const cr = (r - y) / 1.5748;
  return [16 + 219 * y, 128 + 224 * cb, 128 + 224 * cr];
}
