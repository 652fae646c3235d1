import fc from 'fast-check';
import { finnishPublicHolidays } from './holidays.js';
import {
  addWorkingDays,
  deadlineDate,
  isWorkingDay,
  nextWorkingDay,
  previousWorkingDay,
  workingDaysBefore,
  workingDaysBetween,
} from './working-days.js';

const MS_PER_DAY = 86_400_000;

// ---- independent oracle (JS Date + the holiday list) -------------------------------------------

const isoOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const msOf = (date: string) => Date.parse(`${date}T00:00:00Z`);
const holidaySet = new Set<string>();
for (let year = 1989; year <= 2112; year += 1) {
  for (const h of finnishPublicHolidays(year)) holidaySet.add(h.date);
}
function oracleIsWorkingDay(date: string): boolean {
  const weekday = new Date(msOf(date)).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !holidaySet.has(date);
}
function oracleBetween(from: string, to: string): number {
  const sign = to >= from ? 1 : -1;
  const [low, high] = sign > 0 ? [from, to] : [to, from];
  let count = 0;
  for (let ms = msOf(low) + MS_PER_DAY; ms <= msOf(high); ms += MS_PER_DAY) {
    if (oracleIsWorkingDay(isoOf(ms))) count += 1;
  }
  return sign > 0 ? count : 0 - count;
}

/** Any date 1990-01-01 … 2110-12-31. */
const anyDate = fc.integer({ min: msOf('1990-01-01') / MS_PER_DAY, max: msOf('2110-12-31') / MS_PER_DAY }).map(
  (day) => isoOf(day * MS_PER_DAY),
);
const anyWorkingDay = anyDate.map((date) => deadlineDate(date));
const smallN = fc.integer({ min: -300, max: 300 });
const RUNS = { numRuns: 300 };

// ---- examples -----------------------------------------------------------------------------------

describe('isWorkingDay', () => {
  it.each([
    ['2026-06-18', true], // Thursday before Midsummer
    ['2026-06-19', false], // Midsummer Eve (Friday)
    ['2026-06-20', false], // Midsummer Day (Saturday)
    ['2026-06-21', false], // Sunday
    ['2026-06-22', true], // Monday
    ['2026-04-03', false], // Good Friday
    ['2026-04-06', false], // Easter Monday
    ['2026-04-07', true],
    ['2026-05-14', false], // Ascension Day
    ['2026-05-15', true],
    ['2026-12-24', false], // Christmas Eve (Thursday)
    ['2026-12-31', true], // New Year's Eve is an ordinary working day
    ['2027-01-01', false],
    ['2027-01-06', false], // Epiphany (Wednesday)
    ['2027-12-06', false], // Independence Day (Monday)
    ['2026-01-02', true], // Friday between New Year and the weekend
  ])('%s → %p', (date, expected) => {
    expect(isWorkingDay(date)).toBe(expected);
  });

  it('counts 251 / 252 / 253 working days in 2025 / 2026 / 2027', () => {
    // 261 weekdays in each year, minus the holidays that fall on a weekday (10 / 9 / 8).
    expect(workingDaysBetween('2024-12-31', '2025-12-31')).toBe(251);
    expect(workingDaysBetween('2025-12-31', '2026-12-31')).toBe(252);
    expect(workingDaysBetween('2026-12-31', '2027-12-31')).toBe(253);
  });

  it('agrees with the oracle (property)', () => {
    fc.assert(
      fc.property(anyDate, (date) => isWorkingDay(date) === oracleIsWorkingDay(date)),
      { numRuns: 2000 },
    );
  });
});

describe('deadlineDate (the Finnish deadline rule)', () => {
  it.each([
    ['2026-06-19', '2026-06-22', 'an action due on Midsummer Eve moves to the following Monday'],
    ['2026-06-20', '2026-06-22', 'Midsummer Day (Saturday) → Monday'],
    ['2027-06-25', '2027-06-28', 'Midsummer Eve 2027 → Monday'],
    ['2025-06-20', '2025-06-23', 'Midsummer Eve 2025 → Monday'],
    ['2026-12-24', '2026-12-28', 'Christmas Eve (Thursday) → Monday after St Stephen’s Day'],
    ['2026-04-03', '2026-04-07', 'Good Friday → Tuesday after Easter Monday'],
    ['2026-05-14', '2026-05-15', 'Ascension Day → Friday'],
    ['2026-05-01', '2026-05-04', 'May Day (Friday) → Monday'],
    ['2026-12-06', '2026-12-07', 'Independence Day (Sunday) → Monday'],
    ['2027-01-01', '2027-01-04', 'New Year’s Day (Friday) → Monday'],
    ['2026-12-26', '2026-12-28', 'St Stephen’s Day (Saturday) → Monday'],
    ['2026-03-14', '2026-03-16', 'ordinary Saturday → Monday'],
    ['2026-03-16', '2026-03-16', 'working day unchanged'],
    ['2026-12-31', '2026-12-31', 'New Year’s Eve unchanged'],
  ])('%s → %s (%s)', (date, expected) => {
    expect(deadlineDate(date)).toBe(expected);
  });

  it('is the earliest working day on or after the date, and idempotent (property)', () => {
    fc.assert(
      fc.property(anyDate, (date) => {
        const due = deadlineDate(date);
        expect(due >= date).toBe(true);
        expect(isWorkingDay(due)).toBe(true);
        expect(deadlineDate(due)).toBe(due);
        expect(due === date).toBe(isWorkingDay(date));
        expect(oracleBetween(date, due)).toBe(due === date ? 0 : 1); // nothing working skipped
      }),
      RUNS,
    );
  });
});

describe('nextWorkingDay / previousWorkingDay', () => {
  it('are strictly after / before', () => {
    expect(nextWorkingDay('2026-03-16')).toBe('2026-03-17'); // Mon → Tue
    expect(nextWorkingDay('2026-03-20')).toBe('2026-03-23'); // Fri → Mon
    expect(nextWorkingDay('2026-06-18')).toBe('2026-06-22');
    expect(nextWorkingDay('2026-12-23')).toBe('2026-12-28');
    expect(nextWorkingDay('2026-12-31')).toBe('2027-01-04');
    expect(previousWorkingDay('2026-03-17')).toBe('2026-03-16');
    expect(previousWorkingDay('2026-03-23')).toBe('2026-03-20');
    expect(previousWorkingDay('2026-06-22')).toBe('2026-06-18');
    expect(previousWorkingDay('2027-01-04')).toBe('2026-12-31');
    expect(previousWorkingDay('2026-04-07')).toBe('2026-04-02');
  });

  it('equal addWorkingDays(date, ±1) (property)', () => {
    fc.assert(
      fc.property(anyDate, (date) => {
        expect(nextWorkingDay(date)).toBe(addWorkingDays(date, 1));
        expect(previousWorkingDay(date)).toBe(addWorkingDays(date, -1));
      }),
      RUNS,
    );
  });
});

describe('addWorkingDays', () => {
  it.each([
    // Christmas week
    ['2026-12-23', 1, '2026-12-28'],
    ['2026-12-23', 2, '2026-12-29'],
    ['2026-12-22', 2, '2026-12-28'],
    ['2026-12-28', -1, '2026-12-23'],
    ['2026-12-24', 1, '2026-12-28'],
    // year boundaries
    ['2026-12-31', 1, '2027-01-04'],
    ['2026-12-30', 3, '2027-01-05'],
    ['2026-12-30', 4, '2027-01-07'], // skips Epiphany (Wed 6 Jan 2027)
    ['2027-01-04', -1, '2026-12-31'],
    ['2027-01-07', -4, '2026-12-30'],
    ['2025-12-31', 1, '2026-01-02'],
    ['2026-01-02', -1, '2025-12-31'],
    ['2027-12-31', 1, '2028-01-03'],
    // Easter and Midsummer
    ['2026-04-02', 1, '2026-04-07'],
    ['2026-04-07', -1, '2026-04-02'],
    ['2027-03-25', 1, '2027-03-30'],
    ['2026-06-18', 1, '2026-06-22'],
    ['2026-06-22', -1, '2026-06-18'],
    ['2026-06-15', 5, '2026-06-23'],
    // n = 0 is deadlineDate
    ['2026-06-18', 0, '2026-06-18'],
    ['2026-06-19', 0, '2026-06-22'],
    ['2026-03-14', 0, '2026-03-16'],
    // from a non-working day, the first working day after it is 1 (so n = 0 and n = 1 coincide)
    ['2026-03-14', 1, '2026-03-16'],
    ['2026-03-14', 2, '2026-03-17'],
    ['2026-03-14', -1, '2026-03-13'],
    ['2026-06-20', -1, '2026-06-18'],
    // long spans
    ['2025-12-31', 252, '2026-12-31'],
    ['2026-12-31', -252, '2025-12-31'],
  ])('addWorkingDays(%s, %i) = %s', (date, n, expected) => {
    expect(addWorkingDays(date, n)).toBe(expected);
  });

  it('gives a working day for n ≠ 0, on the right side of the date (property)', () => {
    fc.assert(
      fc.property(anyDate, smallN, (date, n) => {
        fc.pre(n !== 0);
        const result = addWorkingDays(date, n);
        expect(isWorkingDay(result)).toBe(true);
        expect(n > 0 ? result > date : result < date).toBe(true);
      }),
      RUNS,
    );
  });

  it('n = 0 and n = 1 coincide exactly when the date is not a working day', () => {
    expect(addWorkingDays('2026-06-19', 0)).toBe(addWorkingDays('2026-06-19', 1));
    expect(addWorkingDays('2026-06-18', 0)).not.toBe(addWorkingDays('2026-06-18', 1));
  });

  it('is strictly monotone in n ≥ 1 from any date, and in all n from a working day (property)', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 50 }), (date, n, k) => {
        expect(addWorkingDays(date, n) < addWorkingDays(date, n + k)).toBe(true);
      }),
      RUNS,
    );
    fc.assert(
      fc.property(anyWorkingDay, smallN, fc.integer({ min: 1, max: 50 }), (date, n, k) => {
        expect(addWorkingDays(date, n) < addWorkingDays(date, n + k)).toBe(true);
      }),
      RUNS,
    );
  });

  it('is inverted by workingDaysBetween: for n > 0 from any date (property)', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: 1, max: 400 }), (date, n) => {
        expect(workingDaysBetween(date, addWorkingDays(date, n))).toBe(n);
      }),
      RUNS,
    );
  });

  it('is inverted by workingDaysBetween: for every n from a working day (property)', () => {
    fc.assert(
      fc.property(anyWorkingDay, smallN, (date, n) => {
        expect(workingDaysBetween(date, addWorkingDays(date, n))).toBe(n);
      }),
      RUNS,
    );
  });

  it('composes: addWorkingDays(addWorkingDays(d, n), m) = addWorkingDays(d, n + m) for a working day d (property)', () => {
    fc.assert(
      fc.property(anyWorkingDay, smallN, smallN, (date, n, m) => {
        expect(addWorkingDays(addWorkingDays(date, n), m)).toBe(addWorkingDays(date, n + m));
      }),
      RUNS,
    );
  });

  it('skips no working day: exactly |n| working days lie between date and result (property, oracle)', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: -40, max: 40 }), (date, n) => {
        fc.pre(n !== 0);
        expect(oracleBetween(date, addWorkingDays(date, n))).toBe(n > 0 ? n : isWorkingDay(date) ? n : n + 1);
      }),
      RUNS,
    );
  });

  it.each([[1.5], [Number.NaN], [Number.POSITIVE_INFINITY], [2 ** 60]])('rejects n = %p', (n) => {
    expect(() => addWorkingDays('2026-06-18', n)).toThrow(RangeError);
    expect(() => addWorkingDays('2026-06-18', n)).toThrow(/expected an integer/);
  });

  it('rejects malformed dates', () => {
    expect(() => addWorkingDays('2026-6-18', 1)).toThrow(RangeError);
    expect(() => addWorkingDays('2026-06-31', 0)).toThrow('Invalid calendar date "2026-06-31"');
  });

  it('throws a RangeError instead of leaving 0001–9999', () => {
    expect(addWorkingDays('9999-12-30', 1)).toBe('9999-12-31'); // a Friday
    expect(() => addWorkingDays('9999-12-31', 1)).toThrow(RangeError);
    expect(() => addWorkingDays('0001-01-02', -1)).toThrow(RangeError); // 1 Jan 0001 is a holiday
    expect(() => nextWorkingDay('9999-12-31')).toThrow(/out of range/);
  });
});

describe('workingDaysBefore (conference cut-offs)', () => {
  it('8 working days before a meeting skips Easter', () => {
    // Meeting Tue 14 Apr 2026: 13, 10, 9, 8, 7 Apr (6 Apr Easter Monday, 3 Apr Good Friday), 2, 1 Apr, 31 Mar.
    expect(workingDaysBefore('2026-04-14', 8)).toBe('2026-03-31');
  });

  it.each([
    ['2026-06-23', 1, '2026-06-22'],
    ['2026-06-23', 2, '2026-06-18'],
    ['2027-01-05', 2, '2026-12-31'],
    ['2027-01-05', 3, '2026-12-30'],
    ['2026-12-29', 3, '2026-12-22'],
    ['2026-06-20', 1, '2026-06-18'], // from a non-working day
  ])('workingDaysBefore(%s, %i) = %s', (date, n, expected) => {
    expect(workingDaysBefore(date, n)).toBe(expected);
  });

  it('n = 0 is the latest working day on or before the date', () => {
    expect(workingDaysBefore('2026-06-18', 0)).toBe('2026-06-18');
    expect(workingDaysBefore('2026-06-21', 0)).toBe('2026-06-18');
    expect(workingDaysBefore('2027-01-03', 0)).toBe('2026-12-31');
  });

  it('equals addWorkingDays(date, -n) for n ≥ 1 and never lands after the date (property)', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: 0, max: 300 }), (date, n) => {
        const cutOff = workingDaysBefore(date, n);
        expect(isWorkingDay(cutOff)).toBe(true);
        expect(cutOff <= date).toBe(true);
        if (n >= 1) expect(cutOff).toBe(addWorkingDays(date, -n));
      }),
      RUNS,
    );
  });

  it('rejects a negative or fractional n', () => {
    expect(() => workingDaysBefore('2026-06-18', -1)).toThrow(RangeError);
    expect(() => workingDaysBefore('2026-06-18', 0.5)).toThrow(RangeError);
    expect(() => workingDaysBefore('18.6.2026', 1)).toThrow(RangeError);
  });
});

describe('workingDaysBetween', () => {
  it.each([
    ['2026-06-18', '2026-06-18', 0],
    ['2026-06-21', '2026-06-20', 0], // +0, not -0
    ['2026-06-18', '2026-06-22', 1], // Midsummer Eve and the weekend do not count
    ['2026-06-19', '2026-06-22', 1],
    ['2026-06-20', '2026-06-21', 0],
    ['2026-06-22', '2026-06-18', -1],
    ['2026-12-23', '2026-12-28', 1],
    ['2025-12-31', '2026-01-09', 5], // 2, 5, 7, 8, 9 Jan (1 and 6 Jan are holidays)
    ['2026-01-09', '2025-12-31', -5],
    ['2026-04-02', '2026-04-07', 1],
    ['2026-04-01', '2026-04-07', 2],
  ])('workingDaysBetween(%s, %s) = %i', (from, to, expected) => {
    expect(workingDaysBetween(from, to)).toBe(expected);
  });

  it('matches the oracle, is antisymmetric and additive (property)', () => {
    const nearby = (date: string) =>
      fc.integer({ min: -200, max: 200 }).map((days) => isoOf(msOf(date) + days * MS_PER_DAY));
    fc.assert(
      fc.property(
        anyDate.chain((a) => fc.tuple(fc.constant(a), nearby(a), nearby(a))),
        ([a, b, c]) => {
          expect(workingDaysBetween(a, b)).toBe(oracleBetween(a, b));
          expect(workingDaysBetween(b, a) + workingDaysBetween(a, b)).toBe(0);
          expect(workingDaysBetween(a, b) + workingDaysBetween(b, c)).toBe(workingDaysBetween(a, c));
        },
      ),
      RUNS,
    );
  });

  it('rejects malformed dates', () => {
    expect(() => workingDaysBetween('2026-06-18', '2026-06-1')).toThrow(RangeError);
    expect(() => workingDaysBetween('', '2026-06-18')).toThrow(RangeError);
  });
});
