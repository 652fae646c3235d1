import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../../src/config/app-config.js';
import { heapGrowthFor } from '../../src/platform/runtime/heap-growth.js';

/**
 * The growing factors of the old generation's limits that V8 sets after one full GC in a fresh
 * process that applied `percent` with the built module (`npm test` builds first), as
 * `--trace-gc-verbose` prints them ("Limit: old size: … KB, new limit: … KB (factor)"). V8 never
 * chooses more than 4 on its own, so a factor of 10 can only come from the setting.
 */
function factorsAfterFullGc(percent: number): number[] {
  const module = pathToFileURL(path.resolve('dist/src/platform/runtime/heap-growth.js')).href;
  const run = spawnSync(
    process.execPath,
    ['--expose-gc', '--trace-gc-verbose', '--input-type=module', '-e', `import { applyHeapGrowth } from '${module}'; applyHeapGrowth(${percent}); globalThis.gc();`],
    { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
  );
  expect({ status: run.status, stderr: run.stderr.slice(-2000) }).toEqual({ status: 0, stderr: '' });
  return [...run.stdout.matchAll(/\] Limit: old size: \d+ KB, new limit: \d+ KB \(([\d.]+)\)/g)].map((m) => Number(m[1]));
}

describe('heap growth (MARAK_HEAP_GROWING_PERCENT)', () => {
  it('sets the factor V8 uses after a full GC, set at run time as the launcher sets it', () => {
    const set = factorsAfterFullGc(900);
    expect(set.length).toBeGreaterThan(0);
    expect(set.every((f) => f === 10)).toBe(true);
    const own = factorsAfterFullGc(0);
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((f) => f <= 4)).toBe(true);
  });

  it('applies to the processes that serve HTTP, not to a worker', () => {
    expect(heapGrowthFor(loadConfig({ MARAK_ROLE: 'all' }))).toBe(300);
    expect(heapGrowthFor(loadConfig({ MARAK_ROLE: 'api', MARAK_HEAP_GROWING_PERCENT: '150' }))).toBe(150);
    expect(heapGrowthFor(loadConfig({ MARAK_ROLE: 'worker', MARAK_HEAP_GROWING_PERCENT: '150' }))).toBe(0);
  });
});
