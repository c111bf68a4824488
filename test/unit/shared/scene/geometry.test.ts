import { describe, expect, it } from 'vitest';
import { applyMat3, cropUv, quadMatrix, rgbToYuv709 } from '../../../../src/shared/scene/geometry';
import { defaultTransform } from '../../../../src/shared/scene/model';

describe('compositor geometry', () => {
  it('maps the unit quad onto the box when not rotated', () => {
    const m = quadMatrix({ ...defaultTransform(320, 180), x: 100, y: 50 });
    expect(applyMat3(m, 0, 0)).toEqual([100, 50]);
    expect(applyMat3(m, 1, 1)).toEqual([420, 230]);
    expect(applyMat3(m, 1, 0)).toEqual([420, 50]);
  });

  it('rotates about the box centre', () => {
    const m = quadMatrix({ ...defaultTransform(200, 100), x: 0, y: 0, rotation: 90 });
    const [cx, cy] = applyMat3(m, 0.5, 0.5);
    expect(cx).toBeCloseTo(100);
    expect(cy).toBeCloseTo(50);
    const [x0, y0] = applyMat3(m, 0, 0);
    // top-left corner (−100,−50 from centre) rotated 90° clockwise in screen space → (+50,−100)
    expect(x0).toBeCloseTo(150);
    expect(y0).toBeCloseTo(-50);
  });

  it('turns crop pixels into a UV rect, clamped', () => {
    expect(cropUv({ left: 10, top: 20, right: 30, bottom: 40 }, 100, 200)).toEqual({ u0: 0.1, v0: 0.1, u1: 0.7, v1: 0.8 });
    expect(cropUv({ left: 200, top: 0, right: 200, bottom: 0 }, 100, 100)).toEqual({ u0: 1, v0: 0, u1: 1, v1: 1 });
  });

  it('converts with BT.709 limited range', () => {
    expect(rgbToYuv709(0, 0, 0).map(Math.round)).toEqual([16, 128, 128]);
    expect(rgbToYuv709(1, 1, 1).map(Math.round)).toEqual([235, 128, 128]);
    const [y, u, v] = rgbToYuv709(1, 0, 0).map(Math.round);
    expect([y, u, v]).toEqual([63, 102, 240]);
  });
});
