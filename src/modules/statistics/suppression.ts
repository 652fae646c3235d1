/**
 * Small-cell suppression for published statistics (DOMAIN.md: "cells under 5 are shown as
 * '<5' so that no person can be recognised"). Pure: no Nest, no I/O.
 *
 * A table is a flat list of cell values and a list of sums ("this cell is the total of those
 * cells"). A cell may take part in several sums: a margin of a two-way table, or a total shared
 * by two breakdowns (victims by gender and victims by age band both add up to the victims).
 *
 * - Primary suppression: every count from 1 to `threshold - 1` (default 1–4) is hidden and shown
 *   as "<5". Zero is shown as 0: "nobody" identifies nobody, and hiding zeros would make every
 *   sparse table unreadable. A zero is a known value in the arithmetic below.
 * - Complementary (secondary) suppression: a hidden cell must not be recoverable from what is
 *   shown. While some sum has exactly one hidden member (total or part), the smallest shown
 *   non-zero part of that sum is hidden too (the total when no part qualifies). Then an exact
 *   check over the whole linear system (every sum at once, Gaussian elimination) finds the
 *   rarer patterns no single sum shows, such as a cell that is a "bridge" between two
 *   otherwise protected groups of cells; each such cell gets another partner, and the loop
 *   runs again until no hidden cell is determined by the shown values.
 *   Secondary cells are shown as "x" (their value may be 5 or more, so "<5" would be false).
 */

export interface CellSum {
  /** Index of the cell holding the total. */
  total: number;
  /** Indices of the cells that add up to it. */
  parts: readonly number[];
}

export type CellState = 'shown' | 'primary' | 'secondary';

export const SMALL_CELL_LABEL = '<5';
export const SECONDARY_LABEL = 'x';
export type PublishedCell = number | typeof SMALL_CELL_LABEL | typeof SECONDARY_LABEL;

export interface SuppressionOptions {
  /** Counts from 1 to threshold − 1 are hidden. Default 5. */
  threshold?: number;
  /** Cells already hidden by an earlier publication of the same figures (they stay hidden). */
  alreadyHidden?: readonly boolean[];
  /**
   * Preference when a partner must be hidden: lower cost first, then the smaller value. The
   * deployment-wide table gives its total row cost 0 and the groups' cells cost 1, so it
   * protects a group's small cell by hiding totals before it hides another group's figure.
   */
  cost?: readonly number[];
}

/** Which cells to hide. `values` are non-negative integers; every sum must hold. */
export function suppressCells(values: readonly number[], sums: readonly CellSum[], options: SuppressionOptions | number = {}): CellState[] {
  const opts = typeof options === 'number' ? { threshold: options } : options;
  for (const v of values) if (!Number.isInteger(v) || v < 0) throw new RangeError('cell values must be non-negative integers');
  const threshold = opts.threshold ?? 5;
  const state: CellState[] = values.map((v, i) => (v >= 1 && v < threshold ? 'primary' : opts.alreadyHidden?.[i] && v > 0 ? 'secondary' : 'shown'));
  // Cells joined by sums form independent blocks: each is solved alone (the exact check is cubic).
  for (const block of blocks(values.length, sums)) protectBlock(values, block.sums, state, opts.cost);
  return state;
}

function blocks(n: number, sums: readonly CellSum[]): { sums: CellSum[] }[] {
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (const s of sums) for (const p of s.parts) parent[find(p)] = find(s.total);
  const bySum = new Map<number, CellSum[]>();
  for (const s of sums) {
    const root = find(s.total);
    bySum.set(root, [...(bySum.get(root) ?? []), s]);
  }
  return [...bySum.values()].map((list) => ({ sums: list }));
}

function protectBlock(values: readonly number[], sums: readonly CellSum[], state: CellState[], cost: readonly number[] = []): void {
  const hidden = (i: number) => state[i] !== 'shown';
  const order = (a: number, b: number) => (cost[a] ?? 0) - (cost[b] ?? 0) || values[a]! - values[b]! || a - b;

  /** Hides the cheapest, smallest shown non-zero part of the sum (else its total); false when none is left. */
  const hidePartnerIn = (sum: CellSum): boolean => {
    const candidates = sum.parts.filter((i) => !hidden(i) && values[i]! > 0).sort(order);
    const total = !hidden(sum.total) && values[sum.total]! > 0 ? sum.total : undefined;
    const part = candidates[0];
    // A part is the usual partner; the total only when no part is left or it is cheaper.
    const pick = part === undefined || (total !== undefined && (cost[total] ?? 0) < (cost[part] ?? 0)) ? total : part;
    if (pick === undefined) return false;
    state[pick] = 'secondary';
    return true;
  };

  const cells = [...new Set(sums.flatMap((s) => [s.total, ...s.parts]))];
  for (let guard = 0; guard <= cells.length; guard++) {
    // 1. No sum with a single hidden member.
    let changed = true;
    while (changed) {
      changed = false;
      for (const sum of sums) {
        const members = [sum.total, ...sum.parts];
        if (members.filter(hidden).length === 1 && hidePartnerIn(sum)) changed = true;
      }
    }
    // 2. The exact check over every sum of the block at once.
    const known = values.map((v, i) => (hidden(i) ? undefined : v));
    const exposed = determinedCells(known, sums).filter(hidden);
    if (exposed.length === 0) return;
    const cell = exposed[0]!;
    const fixed = sums.filter((s) => s.total === cell || s.parts.includes(cell)).some(hidePartnerIn);
    if (!fixed) break;
  }
  // Cannot protect by partners alone (not expected): hide every non-zero cell of the block.
  for (const i of cells) if (state[i] === 'shown' && values[i]! > 0) state[i] = 'secondary';
}

/**
 * The indices of unknown cells (`undefined`) whose value follows from the known ones and the
 * sums: cell x is determined exactly when the unit vector e_x lies in the row space of the sums'
 * coefficients over the unknowns, i.e. when the reduced row echelon form has a row equal to e_x.
 */
export function determinedCells(known: readonly (number | undefined)[], sums: readonly CellSum[]): number[] {
  const inSums = new Set(sums.flatMap((s) => [s.total, ...s.parts]));
  const unknown = known.flatMap((v, i) => (v === undefined && inSums.has(i) ? [i] : []));
  if (unknown.length === 0) return [];
  const col = new Map(unknown.map((cell, j) => [cell, j]));
  const rows: number[][] = [];
  for (const sum of sums) {
    const row = new Array<number>(unknown.length).fill(0);
    let any = false;
    const add = (cell: number, coefficient: number) => {
      const j = col.get(cell);
      if (j !== undefined) {
        row[j]! += coefficient;
        any = true;
      }
    };
    add(sum.total, 1);
    for (const p of sum.parts) add(p, -1);
    if (any) rows.push(row);
  }
  const EPS = 1e-9;
  let lead = 0;
  for (let r = 0; r < rows.length && lead < unknown.length; lead++) {
    let pivot = r;
    while (pivot < rows.length && Math.abs(rows[pivot]![lead]!) < EPS) pivot++;
    if (pivot === rows.length) continue;
    [rows[r], rows[pivot]] = [rows[pivot]!, rows[r]!];
    const p = rows[r]![lead]!;
    rows[r] = rows[r]!.map((x) => x / p);
    for (let k = 0; k < rows.length; k++) {
      if (k === r) continue;
      const f = rows[k]![lead]!;
      if (Math.abs(f) > EPS) rows[k] = rows[k]!.map((x, j) => x - f * rows[r]![j]!);
    }
    r++;
  }
  const out: number[] = [];
  for (const row of rows) {
    const nonzero = row.flatMap((x, j) => (Math.abs(x) > EPS ? [j] : []));
    if (nonzero.length === 1) out.push(unknown[nonzero[0]!]!);
  }
  return out.sort((a, b) => a - b);
}

/** How a cell is published. */
export function publish(value: number, state: CellState): PublishedCell {
  return state === 'primary' ? SMALL_CELL_LABEL : state === 'secondary' ? SECONDARY_LABEL : value;
}

/**
 * Builds a table cell by cell, then publishes it suppressed. Keys are stable names
 * (`referrals.byAgencyKind.police`) so callers can read the published value back.
 */
export class SuppressedTable {
  private readonly values: number[] = [];
  private readonly costs: number[] = [];
  private readonly forced: boolean[] = [];
  private readonly keys = new Map<string, number>();
  private readonly sums: CellSum[] = [];
  private states?: CellState[];

  /** Adds a cell; `cost` orders the choice of partners (see SuppressionOptions.cost). */
  cell(key: string, value: number, cost = 0): string {
    if (this.keys.has(key)) throw new Error(`cell ${key} added twice`);
    this.keys.set(key, this.values.length);
    this.values.push(value);
    this.costs.push(cost);
    this.forced.push(false);
    return key;
  }

  /** `total` is the sum of `parts` (all already added). */
  sum(total: string, parts: readonly string[]): void {
    this.sums.push({ total: this.index(total), parts: parts.map((k) => this.index(k)) });
  }

  /** The cell was hidden where the same figure was published before: it stays hidden. */
  keepHidden(key: string): void {
    this.forced[this.index(key)] = true;
  }

  get(key: string): PublishedCell {
    const i = this.index(key);
    this.states ??= suppressCells(this.values, this.sums, { cost: this.costs, alreadyHidden: this.forced });
    return publish(this.values[i]!, this.states[i]!);
  }

  /** Whether the cell is shown as its number. */
  shown(key: string): boolean {
    return typeof this.get(key) === 'number';
  }

  private index(key: string): number {
    const i = this.keys.get(key);
    if (i === undefined) throw new Error(`unknown cell ${key}`);
    return i;
  }
}
