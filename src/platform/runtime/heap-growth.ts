import v8 from 'node:v8';
import type { AppConfig } from '../../config/app-config.js';

/**
 * Lets V8's old generation grow to `(1 + percent / 100)` times what survived the last full GC
 * before it starts the next one (`--heap-growing-percent`); 0 leaves V8's own choice. Applied by
 * the launcher to the processes that serve HTTP (roles all and api), where GC pauses are
 * response times; a worker keeps V8's choice.
 *
 * Why: a request's objects that are alive at two young-generation collections (a page of rows
 * being decrypted while the nursery fills) are promoted, about 2 MB a second per API process at
 * 50 inbox requests a second. Old-generation allocation that slow makes V8 judge full GCs cheap
 * and keep the heap within its smallest step of its live size (factor 1.1, at least about 8 MB,
 * over about 65 MB live): from the first full GC on, a full GC every few seconds per process,
 * each pausing 5–19 ms plus incremental marking steps, which set the inbox's p99 (bench/RESULTS.md,
 * "Issue 9, 2026-12-05 session"). With 300 the next full GC comes after up to about 200 MB of
 * promotion instead of about 8, for up to about 200 MB more memory per process.
 *
 * V8 still bounds every limit by the heap's maximum (`--max-old-space-size`, by default about
 * half of a container's memory): it collects before it runs out, and in a small heap the growth
 * is capped at half-way to that maximum. The flag also replaces V8's memory-saving growth near
 * the maximum, hence the setting (README).
 *
 * V8 reads the factor each time it sets the next limit, after every full GC, so setting it at
 * start-up acts from the first full GC on, as the command-line flag would (which NODE_OPTIONS
 * does not accept). Node.js leaves V8's flags unfrozen for `v8.setFlagsFromString`.
 */
export function applyHeapGrowth(percent: number): void {
  if (!Number.isInteger(percent) || percent < 0) throw new RangeError('heap growing percent must be a non-negative integer');
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/** The percent a process applies: its setting where it serves HTTP (roles all and api), V8's own choice (0) in a worker. */
export function heapGrowthFor(config: Pick<AppConfig, 'role' | 'heapGrowingPercent'>): number {
  return config.role === 'worker' ? 0 : config.heapGrowingPercent;
}
