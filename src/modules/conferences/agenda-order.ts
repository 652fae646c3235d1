/**
 * The order of an agenda. Pure: no Nest, no I/O.
 *
 * Placement order (DOMAIN.md step 6–7): cases deferred from an earlier conference first of all,
 * then repeats, then the highest risk scores (a case without a score after every scored one),
 * then earlier placement. A newly placed case goes before the first scheduled item it outranks
 * and otherwise last, so an order the coordinator has changed by hand is kept: nothing already
 * on the agenda moves relative to anything else.
 */

export interface AgendaPriority {
  deferred: boolean;
  isRepeat: boolean;
  score: number | null;
}

/** Negative when `a` ranks above `b`, positive when below, 0 for equal priority. */
export function comparePriority(a: AgendaPriority, b: AgendaPriority): number {
  if (a.deferred !== b.deferred) return a.deferred ? -1 : 1;
  if (a.isRepeat !== b.isRepeat) return a.isRepeat ? -1 : 1;
  const sa = a.score ?? -1;
  const sb = b.score ?? -1;
  return sb - sa;
}

/**
 * Where a new item goes among the scheduled items (given in agenda order): the index of the
 * first one it strictly outranks, else the end (equal priority: earlier placement first).
 */
export function insertionIndex(scheduled: readonly AgendaPriority[], item: AgendaPriority): number {
  const i = scheduled.findIndex((other) => comparePriority(item, other) < 0);
  return i === -1 ? scheduled.length : i;
}

/** True when `requested` lists exactly the `current` ids, each once, in any order. */
export function isPermutationOf(current: readonly string[], requested: readonly string[]): boolean {
  if (current.length !== requested.length) return false;
  const want = new Set(requested.map((id) => id.toLowerCase()));
  return want.size === requested.length && current.every((id) => want.has(id.toLowerCase()));
}
