// The benches that run the studio use the app as built (out/): build it first unless
// SKIP_BUILD=1 says the existing build is current.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** `electron-vite build` (unless SKIP_BUILD=1); throws with the build's tail when it fails. */
export function buildAppUnlessSkipped(): void {
  if (process.env['SKIP_BUILD'] === '1') return;
  const t0 = Date.now();
  const r = spawnSync('npx', ['electron-vite', 'build'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } });
  if (r.status !== 0) throw new Error(`electron-vite build failed:\n${(r.stdout + r.stderr).slice(-3000)}`);
  console.log(`built the app in ${Date.now() - t0} ms`);
}
