// vitest globalSetup for e2e: build the app once (out/main, out/preload, out/renderer), as a
// user's `npm start` would, so tests run what ships.
import { spawnSync } from 'node:child_process';

export default function setup(): void {
  const t0 = Date.now();
  const r = spawnSync('npx', ['electron-vite', 'build'], { encoding: 'utf8', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } });
  if (r.status !== 0) throw new Error(`electron-vite build failed:\n${(r.stdout + r.stderr).slice(-3000)}`);
  console.log(`[e2e] built the app in ${Date.now() - t0} ms`);
}
