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

/** Which cells to hide. `values` are non-negative integers; every sum must hold. */
export function suppressCells(values: readonly number[], sums: readonly CellSum[], threshold = 5): CellState[] {
  for (const v of values) if (!Number.isInteger(v) || v < 0) throw new RangeError('cell values must be non-negative integers');
  const state: CellState[] = values.map((v) => (v >= 1 && v < threshold ? 'primary' : 'shown'));
  const hidden = (i: number) => state[i] !== 'shown';

  /** Hides the smallest shown non-zero part of the sum (else its total); false when none is left. */
  const hidePartnerIn = (sum: CellSum): boolean => {
    const candidates = sum.parts.filter((i) => !hidden(i) && values[i]! > 0).sort((a, b) => values[a]! - values[b]! || a - b);
    const pick = candidates[0] ?? (!hidden(sum.total) && values[sum.total]! > 0 ? sum.total : undefined);
    if (pick === undefined) return false;
    state[pick] = 'secondary';
    return true;
  };

  for (let guard = 0; guard <= values.length; guard++) {
    // 1. No sum with a single hidden member.
    let changed = true;
    while (changed) {
      changed = false;
      for (const sum of sums) {
        const members = [sum.total, ...sum.parts];
        if (members.filter(hidden).length === 1 && hidePartnerIn(sum)) changed = true;
      }
    }
    // 2. The exact check over every sum at once.
    const exposed = determinedCells(values.map((v, i) => (hidden(i) ? undefined : v)), sums).filter(hidden);
    if (exposed.length === 0) return state;
    const cell = exposed[0]!;
    const fixed = sums.filter((s) => s.total === cell || s.parts.includes(cell)).some(hidePartnerIn);
    if (!fixed) break;
  }
  // Cannot protect by partners alone (should not happen): hide every non-zero cell.
  return values.map((v, i) => (state[i] === 'primary' ? 'primary' : v > 0 ? 'secondary' : 'shown'));
}

/**
 * The indices of unknown cells (`undefined`) whose value follows from the known ones and the
 * sums: cell x is determined exactly when the unit vector e_x lies in the row space of the sums'
 * coefficients over the unknowns, i.e. when the reduced row echelon form has a row equal to e_x.
 */
export function determinedCells(known: readonly (number | undefined)[], sums: readonly CellSum[]): number[] {
  const unknown = known.flatMap((v, i) => (v === undefined ? [i] : []));
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
  private readonly keys = new Map<string, number>();
  private readonly sums: CellSum[] = [];
  private published?: Map<string, PublishedCell>;

  cell(key: string, value: number): string {
    if (this.keys.has(key)) throw new Error(`cell ${key} added twice`);
    this.keys.set(key, this.values.length);
    this.values.push(value);
    return key;
  }

  /** `total` is the sum of `parts` (all already added). */
  sum(total: string, parts: readonly string[]): void {
    const index = (k: string) => {
      const i = this.keys.get(k);
      if (i === undefined) throw new Error(`unknown cell ${k}`);
      return i;
    };
    this.sums.push({ total: index(total), parts: parts.map(index) });
  }

  get(key: string): PublishedCell {
    if (!this.published) {
      const states = suppressCells(this.values, this.sums);
      this.published = new Map([...this.keys].map(([k, i]) => [k, publish(this.values[i]!, states[i]!)]));
    }
    const v = this.published.get(key);
    if (v === undefined) throw new Error(`unknown cell ${key}`);
    return v;
  }

  /** Whether the cell is shown as its number. */
  shown(key: string): boolean {
    return typeof this.get(key) === 'number';
  }
}
