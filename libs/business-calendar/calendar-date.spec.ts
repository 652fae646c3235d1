import fc from 'fast-check';
import {
  addCalendarDays,
  assertCalendarDate,
  civilToEpochDay,
  fromEpochDay,
  isCalendarDate,
  isoWeekday,
  parseCalendarDate,
  toEpochDay,
} from './calendar-date.js';

const MS_PER_DAY = 86_400_000;

/** Independent oracle: the epoch day of a date via the JS Date object (works for years 1–9999). */
function epochDayViaDate(year: number, month: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return Math.round(d.getTime() / MS_PER_DAY);
}

function isoViaDate(epochDay: number): string {
  const iso = new Date(epochDay * MS_PER_DAY).toISOString();
  return iso.slice(0, 10);
}

describe('parseCalendarDate', () => {
  it('accepts well-formed existing dates', () => {
    expect(parseCalendarDate('2026-06-19')).toEqual({ year: 2026, month: 6, day: 19 });
    expect(parseCalendarDate('0001-01-01')).toEqual({ year: 1, month: 1, day: 1 });
    expect(parseCalendarDate('9999-12-31')).toEqual({ year: 9999, month: 12, day: 31 });
  });

  it('knows the Gregorian leap-year rule', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2000-02-29')).toBe(true);
    expect(isCalendarDate('2025-02-29')).toBe(false);
    expect(isCalendarDate('1900-02-29')).toBe(false);
    expect(isCalendarDate('2100-02-29')).toBe(false);
  });

  it.each([
    ['2026-2-03'],
    ['2026-02-3'],
    ['26-02-03'],
    ['2026/02/03'],
    ['20260203'],
    ['2026-02-03T00:00:00Z'],
    ['2026-02-03 '],
    [' 2026-02-03'],
    [''],
    ['2026-13-01'],
    ['2026-00-10'],
    ['2026-01-00'],
    ['2026-01-32'],
    ['2026-02-29'],
    ['2026-04-31'],
    ['0000-01-01'],
    ['+02026-01-01'],
    ['２０２６-01-01'],
  ])('rejects %j with a RangeError naming the input', (input) => {
    expect(() => parseCalendarDate(input)).toThrow(RangeError);
    expect(() => parseCalendarDate(input)).toThrow(JSON.stringify(input));
    expect(isCalendarDate(input)).toBe(false);
  });

  it.each([[20260203], [null], [undefined], [new Date('2026-02-03T00:00:00Z')], [{}]])(
    'rejects the non-string %p with a RangeError',
    (input) => {
      expect(() => parseCalendarDate(input)).toThrow(RangeError);
      expect(() => assertCalendarDate(input)).toThrow(/expected a YYYY-MM-DD string/);
    },
  );

  it('gives a specific reason', () => {
    expect(() => parseCalendarDate('2026-02-30')).toThrow('Invalid calendar date "2026-02-30": day must be 01–28');
    expect(() => parseCalendarDate('2026-13-01')).toThrow('month must be 01–12');
    expect(() => parseCalendarDate('2026.01.01')).toThrow('expected the format YYYY-MM-DD');
  });
});

describe('epoch days', () => {
  it('has 1970-01-01 as day 0 and known anchors', () => {
    expect(toEpochDay('1970-01-01')).toBe(0);
    expect(toEpochDay('1969-12-31')).toBe(-1);
    expect(toEpochDay('2000-03-01')).toBe(11017);
    expect(fromEpochDay(0)).toBe('1970-01-01');
    expect(fromEpochDay(civilToEpochDay(1, 1, 1))).toBe('0001-01-01');
  });

  it('agrees with the JS Date object for every year 1–9999 (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        (year, month, rawDay) => {
          const iso = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(rawDay).padStart(2, '0')}`;
          const d = new Date(0);
          d.setUTCFullYear(year, month - 1, rawDay);
          const existsPerDate = d.getUTCMonth() === month - 1; // e.g. 31 April rolls over to May
          expect(isCalendarDate(iso)).toBe(existsPerDate);
          if (!existsPerDate) return;
          const day = rawDay;
          const epochDay = toEpochDay(iso);
          expect(epochDay).toBe(epochDayViaDate(year, month, day));
          expect(fromEpochDay(epochDay)).toBe(iso);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('round-trips every epoch day in 1900–2200 through fromEpochDay/toEpochDay (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -25567, max: 84006 }), (epochDay) => {
        const iso = fromEpochDay(epochDay);
        expect(iso).toBe(isoViaDate(epochDay));
        expect(toEpochDay(iso)).toBe(epochDay);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses to leave 0001-01-01 … 9999-12-31', () => {
    expect(() => fromEpochDay(civilToEpochDay(1, 1, 1) - 1)).toThrow(RangeError);
    expect(() => fromEpochDay(civilToEpochDay(9999, 12, 31) + 1)).toThrow(/out of range/);
    expect(() => fromEpochDay(1.5)).toThrow(RangeError);
  });
});

describe('isoWeekday', () => {
  it.each([
    ['1970-01-01', 4], // Thursday
    ['0001-01-01', 1], // proleptic Gregorian: a Monday
    ['2000-01-01', 6],
    ['2026-06-19', 5],
    ['2026-06-20', 6],
    ['2026-06-21', 7],
    ['2026-12-28', 1],
    ['1969-12-28', 7],
  ])('%s is ISO weekday %i', (date, weekday) => {
    expect(isoWeekday(date)).toBe(weekday);
  });

  it('agrees with Date#getUTCDay (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -719162, max: 2932896 }), (epochDay) => {
        const jsDay = new Date(epochDay * MS_PER_DAY).getUTCDay(); // 0 = Sunday
        expect(isoWeekday(fromEpochDay(epochDay))).toBe(jsDay === 0 ? 7 : jsDay);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('addCalendarDays', () => {
  it('crosses months, leap days and years', () => {
    expect(addCalendarDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addCalendarDays('2027-01-01', -1)).toBe('2026-12-31');
    expect(addCalendarDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addCalendarDays('2025-02-28', 1)).toBe('2025-03-01');
    expect(addCalendarDays('2026-06-19', 0)).toBe('2026-06-19');
    expect(addCalendarDays('2026-01-01', 365)).toBe('2027-01-01');
  });

  it('validates its inputs', () => {
    expect(() => addCalendarDays('2026-01-01', 0.5)).toThrow(RangeError);
    expect(() => addCalendarDays('2026-1-1', 1)).toThrow(RangeError);
    expect(() => addCalendarDays('9999-12-31', 1)).toThrow(RangeError);
  });
});
