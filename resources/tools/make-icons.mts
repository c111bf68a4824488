// Makes the app icon set from resources/icon.svg: PNGs at the sizes electron-builder and the
// desktop environments use (resources/icons/<n>x<n>.png), icon.png (1024), icon.ico (Windows,
// PNG-compressed entries, Vista and later) and icon.icns (macOS, PNG entries). The SVG is drawn
// by Chromium, so the PNGs look as the browser-mode favicon does. Run after editing the SVG:
//   npx tsx resources/tools/make-icons.mts
// Not packaged (electron-builder.yml excludes resources/tools). Layout: docs/ARCHITECTURE.md.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const resources = join(here, '..');
export const PNG_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024] as const;
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
/** ICNS element types holding PNG data, by pixel size (Apple's icns types, 10.7+). */
const ICNS_TYPES: [string, number][] = [
  ['icp4', 16], ['icp5', 32], ['icp6', 64], ['ic07', 128], ['ic08', 256], ['ic09', 512], ['ic10', 1024],
  ['ic11', 32], ['ic12', 64], ['ic13', 256], ['ic14', 512],
];

/** ICO: ICONDIR, one 16-byte ICONDIRENTRY per image, then the PNG bodies. */
function ico(images: { size: number; png: Buffer }[]): Buffer {
  const head = Buffer.alloc(6 + 16 * images.length);
  head.writeUInt16LE(0, 0);
  head.writeUInt16LE(1, 2); // 1 = icon
  head.writeUInt16LE(images.length, 4);
  let offset = head.length;
  images.forEach(({ size, png }, i) => {
    const e = 6 + 16 * i;
    head.writeUInt8(size >= 256 ? 0 : size, e); // 0 means 256
    head.writeUInt8(size >= 256 ? 0 : size, e + 1);
    head.writeUInt8(0, e + 2); // no palette
    head.writeUInt8(0, e + 3);
    head.writeUInt16LE(1, e + 4); // planes
    head.writeUInt16LE(32, e + 6); // bits per pixel
    head.writeUInt32LE(png.length, e + 8);
    head.writeUInt32LE(offset, e + 12);
    offset += png.length;
  });
  return Buffer.concat([head, ...images.map((i) => i.png)]);
}

/** ICNS: 'icns' + total length, then (type, length including its 8-byte header, data) elements. */
function icns(elements: { type: string; png: Buffer }[]): Buffer {
  const parts = elements.map(({ type, png }) => {
    const h = Buffer.alloc(8);
    h.write(type, 0, 'latin1');
    h.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([h, png]);
  });
  const body = Buffer.concat(parts);
  const h = Buffer.alloc(8);
  h.write('icns', 0, 'latin1');
  h.writeUInt32BE(body.length + 8, 4);
  return Buffer.concat([h, body]);
}

async function main(): Promise<void> {
  const svg = await readFile(join(resources, 'icon.svg'), 'utf8');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium' });
  const pngs = new Map<number, Buffer>();
  try {
    const page = await browser.newPage();
    for (const size of PNG_SIZES) {
      await page.setViewportSize({ width: size, height: size });
      const src = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
      await page.setContent(`<html><body style="margin:0;background:transparent"><img src="${src}" width="${size}" height="${size}" style="display:block"></body></html>`);
      await page.waitForFunction(() => document.images[0]?.complete === true);
      pngs.set(size, await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } }));
    }
  } finally {
    await browser.close();
  }
  const png = (n: number): Buffer => {
    const b = pngs.get(n);
    if (!b) throw new Error(`no ${n} px rendering`);
    return b;
  };
  await mkdir(join(resources, 'icons'), { recursive: true });
  for (const size of PNG_SIZES) await writeFile(join(resources, 'icons', `${size}x${size}.png`), png(size));
  await writeFile(join(resources, 'icon.png'), png(1024));
  await writeFile(join(resources, 'icon.ico'), ico(ICO_SIZES.map((size) => ({ size, png: png(size) }))));
  await writeFile(join(resources, 'icon.icns'), icns(ICNS_TYPES.map(([type, size]) => ({ type, png: png(size) }))));
  console.log(`icons written: ${PNG_SIZES.join(', ')} px, icon.ico (${ICO_SIZES.length} images), icon.icns (${ICNS_TYPES.length} elements)`);
}

await main();
