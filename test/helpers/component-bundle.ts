// Bundles a few renderer modules into one script for a component test in Chromium (the unit
// project runs in Node, without a DOM). The entry is plain JS written by the test; the bundle is
// built with the renderer's own Vite + React plugin under .cache/ (git-ignored) and returned as
// text, for page.addScriptTag({ content }).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import react from '@vitejs/plugin-react';

export const RENDERER_SRC = resolve(__dirname, '../../src/renderer/src');

export async function bundleForPage(name: string, entrySource: string): Promise<string> {
  const dir = resolve(__dirname, '../../.cache/component', name);
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, 'entry.js');
  writeFileSync(entry, entrySource);
  // The React plugin picks the development JSX runtime from NODE_ENV, which vitest sets to 'test'.
  const nodeEnv = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'production';
  try {
  await build({
    configFile: false,
    mode: 'production',
    root: dir,
    logLevel: 'error',
    plugins: [react()],
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
      outDir: join(dir, 'dist'),
      emptyOutDir: true,
      minify: false,
      lib: { entry, formats: ['iife'], name: 'TandemComponent', fileName: () => 'bundle.js' },
    },
  });
  } finally {
    if (nodeEnv === undefined) delete process.env['NODE_ENV'];
    else process.env['NODE_ENV'] = nodeEnv;
  }
  return readFileSync(join(dir, 'dist', 'bundle.js'), 'utf8');
}
