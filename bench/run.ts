import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLine } from './lib/machine.js';

/**
 * `npm run bench [-- name …]`: runs every compiled `bench/*.bench.js` (or those whose file name
 * contains one of the names given), one after another, each in its own process so one's heap,
 * pools and timers never colour the next. Each benchmark prints its own lines (a figure, its
 * baseline measured in the same run, and the ratio) and exits non-zero when it missed a target.
 * Never part of `npm test`. The first line describes the machine (bench/lib/machine.ts).
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();
if (!files.length) {
  process.stderr.write(`no benchmark matches ${wanted.join(', ')}\n`);
  process.exit(2);
}
// The machine first, while nothing else runs (bench/lib/machine.ts).
process.stdout.write(`${await machineLine().catch((err: unknown) => `# machine: not measured (${err instanceof Error ? err.message : String(err)})`)}\n`);
const failed: string[] = [];
for (const file of files) {
  process.stdout.write(`# ${file.replace(/\.bench\.js$/, '')}\n`);
  const run = spawnSync(process.execPath, [path.join(here, file)], { stdio: 'inherit', env: process.env });
  if (run.status !== 0) failed.push(`${file} (exit ${run.status ?? run.signal})`);
}
if (failed.length) {
  process.stdout.write(`benchmarks that failed or missed a target: ${failed.join(', ')}\n`);
  process.exit(1);
}
