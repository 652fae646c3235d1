import v8 from 'node:v8';

/**
 * Lets V8's old generation grow to `(1 + percent / 100)` times what survived the last full GC
 * before it starts the next one (`--heap-growing-percent`); 0 leaves V8's own choice.
 *
 * Why: a request's objects that are alive at two young-generation collections (a page of rows
 * being decrypted while the nursery fills) are promoted, about 2 MB a second per API process at
 * 50 inbox requests a second. Old-generation allocation that slow makes V8 judge full GCs cheap
 * and keep the heap within about 10 % of its live size (about 65 MB): from the first full GC on, a
 * full GC every few seconds per process, each pausing 5–19 ms plus incremental marking steps,
 * which set the tail of every HTTP figure (bench/RESULTS.md, 2026-12-05). With 300 the next full
 * GC comes after about 200 MB of promotion instead of 7, for about 200 MB more memory per process.
 *
 * V8 reads the factor each time it sets the next limit, so setting it at start-up (before the
 * application is built) acts from the first full GC on, the same as the command-line flag.
 */
export function applyHeapGrowth(percent: number): void {
  if (!Number.isInteger(percent) || percent < 0) throw new RangeError('heap growing percent must be a non-negative integer');
  if (percent > 0) v8.setFlagsFromString(heapGrowthFlag(percent));
}

/** The V8 flag for `percent`. */
export function heapGrowthFlag(percent: number): string {
  return `--heap-growing-percent=${percent}`;
}
