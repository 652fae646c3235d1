import fc from 'fast-check';
import { SuppressedTable, determinedCells, suppressCells, type CellSum } from './suppression.js';

/**
 * What an outsider can work out by subtraction: start from the shown cells and, while some sum
 * has exactly one unknown member, compute it. Written independently of the implementation's
 * linear algebra, so the two check each other.
 */
function derivableBySubtraction(values: readonly number[], hidden: readonly boolean[], sums: readonly CellSum[]): number[] {
  const known = hidden.map((h) => !h);
  let changed = true;
  while (changed) {
    changed = false;
    for (const s of sums) {
      const members = [s.total, ...s.parts];
      const unknown = members.filter((i) => !known[i]);
      if (unknown.length === 1) {
        known[unknown[0]!] = true;
        changed = true;
      }
    }
  }
  return hidden.flatMap((h, i) => (h && known[i] ? [i] : []));
}

/** A two-way table with row totals, column totals and a grand total, as cells and sums. */
function twoWay(matrix: number[][]): { values: number[]; sums: CellSum[] } {
  const rows = matrix.length;
  const cols = matrix[0]!.length;
  const values: number[] = matrix.flat();
  const at = (r: number, c: number) => r * cols + c;
  const rowTotal = (r: number) => rows * cols + r;
  const colTotal = (c: number) => rows * cols + rows + c;
  const grand = rows * cols + rows + cols;
  for (let r = 0; r < rows; r++) values.push(matrix[r]!.reduce((a, b) => a + b, 0));
  for (let c = 0; c < cols; c++) values.push(matrix.reduce((a, row) => a + row[c]!, 0));
  values.push(matrix.flat().reduce((a, b) => a + b, 0));
  const sums: CellSum[] = [];
  for (let r = 0; r < rows; r++) sums.push({ total: rowTotal(r), parts: Array.from({ length: cols }, (_, c) => at(r, c)) });
  for (let c = 0; c < cols; c++) sums.push({ total: colTotal(c), parts: Array.from({ length: rows }, (_, r) => at(r, c)) });
  sums.push({ total: grand, parts: Array.from({ length: rows }, (_, r) => rowTotal(r)) });
  sums.push({ total: grand, parts: Array.from({ length: cols }, (_, c) => colTotal(c)) });
  return { values, sums };
}

// Counts skewed towards the small ones, where suppression has work to do.
const count = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 5, max: 40 }));

function checkProtected(values: number[], sums: CellSum[]): void {
  const states = suppressCells(values, sums);
  const hidden = states.map((s) => s !== 'shown');
  values.forEach((v, i) => {
    if (v >= 1 && v <= 4) expect(states[i]).toBe('primary');
    if (v === 0) expect(states[i]).toBe('shown');
    if (v >= 5) expect(states[i]).not.toBe('primary');
  });
  expect(derivableBySubtraction(values, hidden, sums)).toEqual([]);
  expect(determinedCells(values.map((v, i) => (hidden[i] ? undefined : v)), sums).filter((i) => hidden[i])).toEqual([]);
}

describe('suppressCells', () => {
  it('hides 1–4 as primary and keeps 0 and 5+ when no sum gives anything away', () => {
    expect(suppressCells([0, 3, 7, 12], [])).toEqual(['shown', 'primary', 'shown', 'shown']);
  });

  it('hides the next-smallest part when one part of a shown total is small', () => {
    // total 30 = 3 + 6 + 21: 3 alone would be 30 − 6 − 21.
    expect(suppressCells([30, 3, 6, 21], [{ total: 0, parts: [1, 2, 3] }])).toEqual(['shown', 'primary', 'secondary', 'shown']);
  });

  it('hides the total when the small cell has no other non-zero part beside it', () => {
    expect(suppressCells([3, 3, 0], [{ total: 0, parts: [1, 2] }])).toEqual(['primary', 'primary', 'shown']);
    expect(suppressCells([9, 3, 6], [{ total: 0, parts: [1, 2] }])).toEqual(['shown', 'primary', 'secondary']);
    expect(suppressCells([7, 3, 0, 4], [{ total: 0, parts: [1, 2, 3] }])).toEqual(['shown', 'primary', 'shown', 'primary']);
  });

  it('protects a total shared by two breakdowns', () => {
    // victims 12 by gender (10, 2) and by age band (6, 6): hiding 2 needs 10 hidden, not the total.
    const values = [12, 10, 2, 6, 6];
    const sums = [{ total: 0, parts: [1, 2] }, { total: 0, parts: [3, 4] }];
    expect(suppressCells(values, sums)).toEqual(['shown', 'secondary', 'primary', 'shown', 'shown']);
  });

  it('finds cells no single subtraction exposes (three sums over three cells)', () => {
    // t1 = a + b, t2 = a + c, t3 = b + c: every sum has two unknowns, yet a = (t1 + t2 − t3) / 2.
    const sums: CellSum[] = [
      { total: 3, parts: [0, 1] },
      { total: 4, parts: [0, 2] },
      { total: 5, parts: [1, 2] },
    ];
    expect(determinedCells([undefined, undefined, undefined, 10, 12, 16], sums)).toEqual([0, 1, 2]);
    const values = [3, 7, 9, 10, 12, 16];
    const states = suppressCells(values, sums);
    const hidden = states.map((s) => s !== 'shown');
    expect(determinedCells(values.map((v, i) => (hidden[i] ? undefined : v)), sums).filter((i) => hidden[i])).toEqual([]);
    expect(states[0]).toBe('primary');
  });

  it('leaves no hidden cell derivable in random two-way tables with margins', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }).chain((cols) => fc.array(fc.array(count, { minLength: cols, maxLength: cols }), { minLength: 1, maxLength: 5 })),
        (matrix) => {
          const { values, sums } = twoWay(matrix);
          checkProtected(values, sums);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('leaves no hidden cell derivable in random one-way breakdowns sharing a total', () => {
    fc.assert(
      fc.property(fc.array(count, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), (first, weights) => {
        const total = first.reduce((a, b) => a + b, 0);
        // A second breakdown of the same total, split by the weights.
        const w = weights.map((x) => x + 1);
        const wSum = w.reduce((a, b) => a + b, 0);
        const second = w.map((x) => Math.floor((total * x) / wSum));
        second[0]! += total - second.reduce((a, b) => a + b, 0);
        const values = [total, ...first, ...second];
        const sums: CellSum[] = [
          { total: 0, parts: first.map((_, i) => 1 + i) },
          { total: 0, parts: second.map((_, i) => 1 + first.length + i) },
        ];
        checkProtected(values, sums);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses negative or fractional counts', () => {
    expect(() => suppressCells([-1], [])).toThrow(RangeError);
    expect(() => suppressCells([1.5], [])).toThrow(RangeError);
  });
});

describe('SuppressedTable', () => {
  it('publishes by key: "<5" for small cells, "x" for their partners, numbers otherwise', () => {
    const t = new SuppressedTable();
    t.cell('all', 30);
    t.cell('police', 3);
    t.cell('health', 6);
    t.cell('social', 21);
    t.sum('all', ['police', 'health', 'social']);
    expect([t.get('all'), t.get('police'), t.get('health'), t.get('social')]).toEqual([30, '<5', 'x', 21]);
    expect(() => t.get('nope')).toThrow();
  });
});

describe('suppressCells options', () => {
  it('keeps cells an earlier publication hid hidden, and prefers cheap cells as partners', () => {
    // Columns: two groups and their total; one breakdown (a, b). g2.a = 3 is small.
    // cells: 0 g1.a 1 g1.b 2 g1.all 3 g2.a 4 g2.b 5 g2.all 6 T.a 7 T.b 8 T.all
    const values = [10, 20, 30, 3, 9, 12, 13, 29, 42];
    const sums: CellSum[] = [
      { total: 2, parts: [0, 1] },
      { total: 5, parts: [3, 4] },
      { total: 8, parts: [6, 7] },
      { total: 6, parts: [0, 3] },
      { total: 7, parts: [1, 4] },
      { total: 8, parts: [2, 5] },
    ];
    const cost = [1, 1, 1, 1, 1, 1, 0, 0, 0];
    const alone = suppressCells(values.slice(3, 6), [{ total: 2, parts: [0, 1] }]);
    expect(alone).toEqual(['primary', 'secondary', 'shown']);
    const states = suppressCells(values, sums, { cost, alreadyHidden: [false, false, false, false, true, false, false, false, false] });
    // Group 1 stays fully shown: the totals protect group 2.
    expect(states.slice(0, 3)).toEqual(['shown', 'shown', 'shown']);
    expect(states.slice(3, 6)).toEqual(['primary', 'secondary', 'shown']);
    expect(states.slice(6)).toEqual(['secondary', 'secondary', 'shown']);
    const hidden = states.map((s) => s !== 'shown');
    expect(derivableBySubtraction(values, hidden, sums)).toEqual([]);
  });
});

describe('suppressCells across groups and their total', () => {
  it('keeps what each group hid alone and leaves no hidden cell derivable, for random groups', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((k) => fc.array(fc.array(count, { minLength: k, maxLength: k }), { minLength: 1, maxLength: 4 })),
        (groups) => {
          // Each group: its k cells and their total; then the total row (k cells + grand), each the sum over groups.
          const k = groups[0]!.length;
          const values: number[] = [];
          const sums: CellSum[] = [];
          const cost: number[] = [];
          const alreadyHidden: boolean[] = [];
          const blocks = [...groups, groups[0]!.map((_, j) => groups.reduce((a, g) => a + g[j]!, 0))];
          blocks.forEach((cells, b) => {
            const start = values.length;
            const total = cells.reduce((a, x) => a + x, 0);
            values.push(...cells, total);
            sums.push({ total: start + k, parts: cells.map((_, j) => start + j) });
            const own = b < groups.length ? suppressCells([...cells, total], [{ total: k, parts: cells.map((_, j) => j) }]) : [];
            for (let j = 0; j <= k; j++) {
              cost.push(b < groups.length ? 1 : 0);
              alreadyHidden.push(own[j] !== undefined && own[j] !== 'shown');
            }
          });
          const totalStart = groups.length * (k + 1);
          for (let j = 0; j <= k; j++) sums.push({ total: totalStart + j, parts: groups.map((_, g) => g * (k + 1) + j) });
          const states = suppressCells(values, sums, { cost, alreadyHidden });
          const hidden = states.map((s) => s !== 'shown');
          alreadyHidden.forEach((h, i) => h && expect(hidden[i]).toBe(true));
          expect(derivableBySubtraction(values, hidden, sums)).toEqual([]);
          expect(determinedCells(values.map((v, i) => (hidden[i] ? undefined : v)), sums).filter((i) => hidden[i])).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
