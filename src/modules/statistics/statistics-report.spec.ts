import fc from 'fast-check';
import { weightedMedian } from './statistics-report.js';

describe('weightedMedian', () => {
  it('is null for no values, the middle value of an odd count, the mean of the two middle ones of an even count', () => {
    expect(weightedMedian([])).toBeNull();
    expect(weightedMedian([{ days: 4, n: 0 }])).toBeNull();
    expect(weightedMedian([{ days: 6, n: 5 }])).toBe(6);
    expect(weightedMedian([{ days: 7, n: 3 }, { days: 6, n: 3 }])).toBe(6.5);
    expect(weightedMedian([{ days: 9, n: 1 }, { days: 2, n: 2 }])).toBe(2);
    expect(weightedMedian([{ days: 1, n: 1 }, { days: 3, n: 1 }, { days: 10, n: 2 }])).toBe(6.5);
  });

  it('equals the median of the values written out one by one', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ days: fc.integer({ min: 0, max: 400 }), n: fc.integer({ min: 0, max: 4 }) }), { maxLength: 20 }), (values) => {
        const flat = values.flatMap((v) => Array<number>(v.n).fill(v.days)).sort((a, b) => a - b);
        const expected = flat.length === 0 ? null : (flat[Math.floor((flat.length - 1) / 2)]! + flat[Math.ceil((flat.length - 1) / 2)]!) / 2;
        expect(weightedMedian(values)).toBe(expected);
      }),
    );
  });
});
