/**
 * Finnish public holidays that are non-working days besides weekends.
 *
 * Why these are computed here rather than taken from `date-holidays`:
 * `date-holidays` 3.37.0 (country 'FI') does not yield exactly this set, under any choice of
 * `type`s:
 *   - as `public` it also marks Easter Sunday and Whit Sunday (helluntaipäivä) — both always
 *     Sundays, so not part of this list;
 *   - Midsummer Eve (juhannusaatto) and Christmas Eve (jouluaatto) are only `bank`, while
 *     New Year's Eve (Dec 31, an ordinary working day in Finland) is `bank` too.
 * Getting the list from it would mean filtering on its internal rule strings
 * ('easter 49', 'friday after 06-19', '12-31'…), which can change in any data update, and would
 * load its ~800 kB all-country data set for thirteen simple rules. The rules below are fixed by
 * law (vuosilaki / Act on Calendar Holidays), Easter comes from the anonymous Gregorian
 * (Meeus/Jones/Butcher) algorithm, and `holidays.spec.ts` cross-checks every date against
 * `date-holidays` for 1900–2200, so a divergence on either side is caught by the tests.
 *
 * The rules in force since 1992 (when Epiphany and Ascension Day returned to their own days) are
 * applied to every year; earlier years are not historically accurate.
 */
import {
  type CalendarDate,
  civilToEpochDay,
  epochDayToCivil,
  formatCivilDate,
  isoWeekdayOfEpochDay,
  MAX_YEAR,
  MIN_YEAR,
  SATURDAY,
  toEpochDay,
} from './calendar-date.js';

export interface FinnishHoliday {
  /** `YYYY-MM-DD` in Europe/Helsinki. */
  date: CalendarDate;
  /** English name. */
  name: string;
}

interface YearHolidays {
  readonly list: readonly Readonly<FinnishHoliday>[];
  /** Epoch day → holiday name. */
  readonly byEpochDay: ReadonlyMap<number, string>;
}

const cache = new Map<number, YearHolidays>();

function assertYear(year: number): void {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
    throw new RangeError(`Invalid year ${String(year)}: expected an integer ${MIN_YEAR}–${MAX_YEAR}`);
  }
}

/**
 * Easter Sunday (Western, Gregorian) of `year` as an epoch day, by the anonymous Gregorian
 * algorithm (Meeus/Jones/Butcher).
 */
function easterSundayEpochDay(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return civilToEpochDay(year, month, day);
}

/** Easter Sunday of `year` (Western/Gregorian), `YYYY-MM-DD`. */
export function easterSunday(year: number): CalendarDate {
  assertYear(year);
  const { month, day } = epochDayToCivil(easterSundayEpochDay(year));
  return formatCivilDate(year, month, day);
}

/** The first day with ISO weekday `weekday` on or after the given day of `year`. */
function weekdayOnOrAfter(year: number, month: number, day: number, weekday: number): number {
  const start = civilToEpochDay(year, month, day);
  return start + ((weekday - isoWeekdayOfEpochDay(start) + 7) % 7);
}

function compute(year: number): YearHolidays {
  const easter = easterSundayEpochDay(year);
  const midsummerDay = weekdayOnOrAfter(year, 6, 20, SATURDAY); // Saturday 20–26 June
  const entries: [number, string][] = [
    [civilToEpochDay(year, 1, 1), "New Year's Day"],
    [civilToEpochDay(year, 1, 6), 'Epiphany'],
    [easter - 2, 'Good Friday'],
    [easter + 1, 'Easter Monday'],
    [civilToEpochDay(year, 5, 1), 'May Day'],
    [easter + 39, 'Ascension Day'],
    [midsummerDay - 1, 'Midsummer Eve'], // Friday 19–25 June
    [midsummerDay, 'Midsummer Day'],
    [weekdayOnOrAfter(year, 10, 31, SATURDAY), "All Saints' Day"], // Saturday 31 Oct – 6 Nov
    [civilToEpochDay(year, 12, 6), 'Independence Day'],
    [civilToEpochDay(year, 12, 24), 'Christmas Eve'],
    [civilToEpochDay(year, 12, 25), 'Christmas Day'],
    [civilToEpochDay(year, 12, 26), "St Stephen's Day"],
  ];
  // Sorted by date. No two rules can coincide (Easter Monday is at latest 26 April, Ascension
  // at latest 3 June), so the map has exactly 13 entries.
  entries.sort((x, y) => x[0] - y[0]);
  const list = entries.map(([epochDay, name]) => {
    const { month, day } = epochDayToCivil(epochDay);
    return Object.freeze({ date: formatCivilDate(year, month, day), name });
  });
  return { list: Object.freeze(list), byEpochDay: new Map(entries) };
}

function holidaysOf(year: number): YearHolidays {
  let entry = cache.get(year);
  if (!entry) {
    entry = compute(year);
    cache.set(year, entry);
  }
  return entry;
}

/**
 * The Finnish public holidays of `year` that are non-working days besides weekends, sorted by
 * date: New Year's Day, Epiphany, Good Friday, Easter Monday, May Day, Ascension Day,
 * Midsummer Eve, Midsummer Day, All Saints' Day, Independence Day, Christmas Eve, Christmas
 * Day, St Stephen's Day. (Easter Sunday and Whit Sunday are always Sundays and not listed.)
 *
 * Computed once per year and cached; each call returns fresh objects, so callers may mutate
 * the result freely.
 */
export function finnishPublicHolidays(year: number): FinnishHoliday[] {
  assertYear(year);
  return holidaysOf(year).list.map((holiday) => ({ ...holiday }));
}

/** Internal fast path: the holiday name on an (in-range) epoch day, if any. */
export function holidayNameOfEpochDay(epochDay: number): string | undefined {
  const { year } = epochDayToCivil(epochDay);
  if (year < MIN_YEAR || year > MAX_YEAR) return undefined;
  return holidaysOf(year).byEpochDay.get(epochDay);
}

/** The English holiday name when `date` is one of the holidays above, else `undefined`. */
export function publicHolidayName(date: CalendarDate): string | undefined {
  return holidayNameOfEpochDay(toEpochDay(date));
}

/** True when `date` is one of the holidays listed by {@link finnishPublicHolidays}. */
export function isPublicHoliday(date: CalendarDate): boolean {
  return publicHolidayName(date) !== undefined;
}
