// `npm run bench [-- NAME...]`: runs bench/NAME.ts (all benchmarks when no name is given).
// Each benchmark writes its results to docs/benchmarks/NAME.md and NAME.json.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const dir = __dirname;
const all = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .sort();
const wanted = process.argv.slice(2);
const names = wanted.length ? wanted : all;
let failed = 0;
for (const name of names) {
  if (!all.includes(name)) {
    process.stderr.write(`bench: no benchmark named '${name}' (have: ${all.join(', ')})\n`);
    failed++;
    continue;
  }
  process.stdout.write(`\n== bench/${name}\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(dir, `${name}.ts`)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
