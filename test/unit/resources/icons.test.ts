// The icon set electron-builder packages: every file it is pointed at exists, and every image in
// the PNG set, the .ico and the .icns is a PNG of the size its container says.
import { describe, expect, it } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const resources = join(__dirname, '../../../resources');
const PNG_SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngSize(b: Buffer): { width: number; height: number } {
  expect(b.subarray(0, 8).equals(PNG_SIG)).toBe(true);
  expect(b.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

describe('app icons', () => {
  it('electron-builder points at icons that exist', () => {
    const yml = readFileSync(join(__dirname, '../../../electron-builder.yml'), 'utf8');
    const icons = [...yml.matchAll(/^\s+icon: (\S+)$/gm)].map((m) => m[1]!);
    expect(icons.sort()).toEqual(['resources/icon.icns', 'resources/icon.ico', 'resources/icons']);
    for (const p of icons) expect(existsSync(join(__dirname, '../../..', p))).toBe(true);
  });

  it('the PNG set has each size electron-builder and desktop environments use', () => {
    for (const n of [16, 24, 32, 48, 64, 128, 256, 512, 1024]) {
      expect(pngSize(readFileSync(join(resources, 'icons', `${n}x${n}.png`)))).toEqual({ width: n, height: n });
    }
    expect(pngSize(readFileSync(join(resources, 'icon.png')))).toEqual({ width: 1024, height: 1024 });
  });

  it('icon.ico: each directory entry is a PNG of its stated size, up to 256', () => {
    const b = readFileSync(join(resources, 'icon.ico'));
    expect(b.readUInt16LE(0)).toBe(0);
    expect(b.readUInt16LE(2)).toBe(1);
    const count = b.readUInt16LE(4);
    const sizes: number[] = [];
    for (let i = 0; i < count; i++) {
      const e = 6 + 16 * i;
      const size = b.readUInt8(e) || 256;
      const len = b.readUInt32LE(e + 8);
      const off = b.readUInt32LE(e + 12);
      expect(off + len).toBeLessThanOrEqual(b.length);
      expect(pngSize(b.subarray(off, off + len))).toEqual({ width: size, height: size });
      sizes.push(size);
    }
    expect(sizes).toContain(16);
    expect(sizes).toContain(256);
  });

  it('icon.icns: elements tile the file and hold PNGs of their type\'s size', () => {
    const b = readFileSync(join(resources, 'icon.icns'));
    expect(b.subarray(0, 4).toString('latin1')).toBe('icns');
    expect(b.readUInt32BE(4)).toBe(b.length);
    const px: Record<string, number> = { icp4: 16, icp5: 32, icp6: 64, ic07: 128, ic08: 256, ic09: 512, ic10: 1024, ic11: 32, ic12: 64, ic13: 256, ic14: 512 };
    const seen: string[] = [];
    let off = 8;
    while (off < b.length) {
      const type = b.subarray(off, off + 4).toString('latin1');
      const len = b.readUInt32BE(off + 4);
      expect(len).toBeGreaterThan(8);
      const n = px[type];
      expect(n, type).toBeDefined();
      expect(pngSize(b.subarray(off + 8, off + len))).toEqual({ width: n, height: n });
      seen.push(type);
      off += len;
    }
    expect(off).toBe(b.length);
    expect(seen).toEqual(expect.arrayContaining(['icp4', 'ic07', 'ic08', 'ic09', 'ic10']));
  });
});
