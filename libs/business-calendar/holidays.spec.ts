import Holidays from 'date-holidays';
import { isoWeekday } from './calendar-date.js';
import {
  easterSunday,
  finnishPublicHolidays,
  isPublicHoliday,
  publicHolidayName,
} from './holidays.js';

const NAMES = [
  "New Year's Day",
  'Epiphany',
  'Good Friday',
  'Easter Monday',
  'May Day',
  'Ascension Day',
  'Midsummer Eve',
  'Midsummer Day',
  "All Saints' Day",
  'Independence Day',
  'Christmas Eve',
  'Christmas Day',
  "St Stephen's Day",
];

/** Known dates (verified by hand against the weekday rules and published Finnish calendars). */
const KNOWN: Record<number, { easter: string; dates: string[] }> = {
  2025: {
    easter: '2025-04-20',
    dates: [
      '2025-01-01', // Wed
      '2025-01-06', // Mon
      '2025-04-18', // Good Friday
      '2025-04-21', // Easter Monday
      '2025-05-01', // Thu
      '2025-05-29', // Ascension = Easter + 39, Thu
      '2025-06-20', // Midsummer Eve, Fri
      '2025-06-21', // Midsummer Day, Sat
      '2025-11-01', // All Saints', Sat
      '2025-12-06', // Sat
      '2025-12-24', // Wed
      '2025-12-25', // Thu
      '2025-12-26', // Fri
    ],
  },
  2026: {
    easter: '2026-04-05',
    dates: [
      '2026-01-01', // Thu
      '2026-01-06', // Tue
      '2026-04-03', // Good Friday
      '2026-04-06', // Easter Monday
      '2026-05-01', // Fri
      '2026-05-14', // Ascension, Thu
      '2026-06-19', // Midsummer Eve, Fri
      '2026-06-20', // Midsummer Day, Sat
      '2026-10-31', // All Saints', Sat
      '2026-12-06', // Sun
      '2026-12-24', // Thu
      '2026-12-25', // Fri
      '2026-12-26', // Sat
    ],
  },
  2027: {
    easter: '2027-03-28',
    dates: [
      '2027-01-01', // Fri
      '2027-01-06', // Wed
      '2027-03-26', // Good Friday
      '2027-03-29', // Easter Monday
      '2027-05-01', // Sat
      '2027-05-06', // Ascension, Thu
      '2027-06-25', // Midsummer Eve, Fri
      '2027-06-26', // Midsummer Day, Sat
      '2027-11-06', // All Saints', Sat (31 Oct 2027 is a Sunday)
      '2027-12-06', // Mon
      '2027-12-24', // Fri
      '2027-12-25', // Sat
      '2027-12-26', // Sun
    ],
  },
};

describe('finnishPublicHolidays', () => {
  describe.each([2025, 2026, 2027])('%i', (year) => {
    const { easter, dates } = KNOWN[year]!;

    it('lists exactly the 13 known holidays, in date order, with their names', () => {
      expect(finnishPublicHolidays(year)).toEqual(dates.map((date, i) => ({ date, name: NAMES[i] })));
    });

    it('has the known Easter Sunday, which itself is not listed (it is a Sunday)', () => {
      expect(easterSunday(year)).toBe(easter);
      expect(isoWeekday(easter)).toBe(7);
      expect(isPublicHoliday(easter)).toBe(false);
    });

    it.each(dates.map((date, i) => [date, NAMES[i]!] as const))('%s is %s', (date, name) => {
      expect(isPublicHoliday(date)).toBe(true);
      expect(publicHolidayName(date)).toBe(name);
    });
  });

  it('does not treat New Year’s Eve, Holy Saturday, Whit Sunday or Midsummer’s day-after as holidays', () => {
    for (const date of ['2026-12-31', '2026-04-04', '2026-05-24', '2026-06-21', '2026-12-27', '2026-11-01']) {
      expect(isPublicHoliday(date)).toBe(false);
      expect(publicHolidayName(date)).toBeUndefined();
    }
  });

  it.each([
    [2000, '2000-04-23'],
    [2008, '2008-03-23'],
    [2011, '2011-04-24'],
    [2019, '2019-04-21'],
    [2024, '2024-03-31'],
    [2038, '2038-04-25'], // latest possible
    [1818, '1818-03-22'], // earliest possible
    [2285, '2285-03-22'],
  ])('Easter Sunday %i is %s', (year, date) => {
    expect(easterSunday(year)).toBe(date);
  });

  it('obeys the statutory weekday rules in every year 1900–2200', () => {
    const md = (date: string) => date.slice(5);
    const between = (date: string, from: string, to: string) => md(date) >= from && md(date) <= to;
    const violations: string[] = [];
    for (let year = 1900; year <= 2200; year += 1) {
      const list = finnishPublicHolidays(year);
      const at = Object.fromEntries(list.map((h) => [h.name, h.date])) as Record<string, string>;
      const easter = easterSunday(year);
      const checks: [string, boolean][] = [
        ['names in date order', list.map((h) => h.name).join() === NAMES.join()],
        ['all in the year', list.every((h) => h.date.startsWith(`${year}-`))],
        ['Easter is a Sunday 22 Mar – 25 Apr', isoWeekday(easter) === 7 && between(easter, '03-22', '04-25')],
        ['Good Friday', isoWeekday(at['Good Friday']!) === 5 && at['Good Friday']! < easter],
        ['Easter Monday', isoWeekday(at['Easter Monday']!) === 1 && at['Easter Monday']! > easter],
        ['Ascension', isoWeekday(at['Ascension Day']!) === 4 && between(at['Ascension Day']!, '04-30', '06-03')],
        ['Midsummer Eve', isoWeekday(at['Midsummer Eve']!) === 5 && between(at['Midsummer Eve']!, '06-19', '06-25')],
        ['Midsummer Day', isoWeekday(at['Midsummer Day']!) === 6 && between(at['Midsummer Day']!, '06-20', '06-26')],
        ["All Saints'", isoWeekday(at["All Saints' Day"]!) === 6 && between(at["All Saints' Day"]!, '10-31', '11-06')],
        ['fixed dates', ["New Year's Day", 'Epiphany', 'May Day', 'Independence Day', 'Christmas Eve', 'Christmas Day', "St Stephen's Day"]
          .map((name) => md(at[name]!))
          .join() === '01-01,01-06,05-01,12-06,12-24,12-25,12-26'],
      ];
      for (const [rule, ok] of checks) if (!ok) violations.push(`${year}: ${rule}`);
    }
    expect(violations).toEqual([]);
  });

  it('agrees with date-holidays (FI) on every date, 2000–2060 and sampled years', () => {
    const hd = new Holidays('FI', { languages: ['en'] });
    const eves = new Set(['Midsummer Eve', 'Christmas Eve']); // typed 'bank' there
    const sundayOnly = new Set(['Easter Sunday', 'Pentecost']); // 'public' there, always Sundays
    const years = [1818, 1900, 1955, 1961, 1974, 1992, 2096, 2100, 2200, 2285];
    for (let year = 2000; year <= 2060; year += 1) years.push(year);
    const mismatches: string[] = [];
    for (const year of years) {
      const theirs = hd
        .getHolidays(year)
        .filter((h) => (h.type === 'public' && !sundayOnly.has(h.name)) || eves.has(h.name))
        .map((h) => h.date.slice(0, 10))
        .join();
      const ours = finnishPublicHolidays(year)
        .map((h) => h.date)
        .join();
      if (ours !== theirs) mismatches.push(`${year}: ours ${ours} theirs ${theirs}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('documents why date-holidays is not used directly: its types do not match the Finnish working-day set', () => {
    const hd = new Holidays('FI', { languages: ['en'] });
    const typeOf = Object.fromEntries(hd.getHolidays(2026).map((h) => [h.name, h.type]));
    expect(typeOf['Christmas Eve']).toBe('bank');
    expect(typeOf['Midsummer Eve']).toBe('bank');
    expect(typeOf["New Year's Eve"]).toBe('bank'); // a working day in Finland
    expect(typeOf['Easter Sunday']).toBe('public');
    expect(typeOf['Pentecost']).toBe('public');
  });

  it('returns fresh objects: mutating a result does not corrupt the per-year cache', () => {
    const first = finnishPublicHolidays(2026);
    first[0]!.date = '1999-01-01';
    first.pop();
    expect(finnishPublicHolidays(2026)).toHaveLength(13);
    expect(finnishPublicHolidays(2026)[0]).toEqual({ date: '2026-01-01', name: "New Year's Day" });
    expect(isPublicHoliday('2026-12-26')).toBe(true);
  });

  it.each([[2026.5], [0], [10000], [Number.NaN], [-2026]])('rejects the year %p with a RangeError', (year) => {
    expect(() => finnishPublicHolidays(year)).toThrow(RangeError);
    expect(() => easterSunday(year)).toThrow(/Invalid year/);
  });

  it('validates dates', () => {
    expect(() => isPublicHoliday('2026-12-6')).toThrow(RangeError);
    expect(() => publicHolidayName('2026-12-32')).toThrow(RangeError);
  });
});
