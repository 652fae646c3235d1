/**
 * Calendar dates: `YYYY-MM-DD` strings meaning a day in Europe/Helsinki (proleptic Gregorian,
 * years 0001–9999). Internally a date is handled as an "epoch day" — the number of days since
 * 1970-01-01 — using Howard Hinnant's integer civil-date algorithms, so there is no `Date`
 * object, no time zone and no two-digit-year pitfall (`Date.UTC(50, 0, 1)` is 1950) involved.
 *
 * Every invalid input throws a `RangeError` whose message names the offending value.
 */

/** A `YYYY-MM-DD` calendar date in Europe/Helsinki. A plain string alias, documented by name. */
export type CalendarDate = string;

export const MIN_YEAR = 1;
export const MAX_YEAR = 9999;

// A module-level binding rather than `Math.floor` at each call: the civil-date conversion runs
// for every day stepped over, and global lookups are ~50× slower inside `vm` contexts (jest).
const { floor } = Math;

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** ISO weekday numbers: Monday = 1 … Sunday = 7. */
export const SATURDAY = 6;
export const SUNDAY = 7;

export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : `${typeof value} ${String(value)}`;
}

/**
 * Parses and validates a `YYYY-MM-DD` string. Rejects anything else — other separators,
 * missing zero padding, times or offsets, and non-existent days such as `2026-02-29`.
 */
export function parseCalendarDate(date: unknown): CivilDate {
  if (typeof date !== 'string') {
    throw new RangeError(`Invalid calendar date ${describe(date)}: expected a YYYY-MM-DD string`);
  }
  const match = DATE_PATTERN.exec(date);
  if (!match) {
    throw new RangeError(`Invalid calendar date ${describe(date)}: expected the format YYYY-MM-DD`);
  }
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < MIN_YEAR) {
    throw new RangeError(`Invalid calendar date ${describe(date)}: year must be 0001–9999`);
  }
  if (month < 1 || month > 12) {
    throw new RangeError(`Invalid calendar date ${describe(date)}: month must be 01–12`);
  }
  if (day < 1 || day > daysInMonth(year, month)) {
    throw new RangeError(
      `Invalid calendar date ${describe(date)}: day must be 01–${daysInMonth(year, month)} in that month`,
    );
  }
  return { year, month, day };
}

/** True when `value` is a valid `YYYY-MM-DD` calendar date string. Never throws. */
export function isCalendarDate(value: unknown): value is CalendarDate {
  try {
    parseCalendarDate(value);
    return true;
  } catch {
    return false;
  }
}

/** Throws a `RangeError` unless `value` is a valid `YYYY-MM-DD` calendar date string. */
export function assertCalendarDate(value: unknown): asserts value is CalendarDate {
  parseCalendarDate(value);
}

/** Days since 1970-01-01 of a civil date (Hinnant's `days_from_civil`). No validation. */
export function civilToEpochDay(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + floor(yearOfEra / 4) - floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** The civil date of an epoch day (Hinnant's `civil_from_days`). No range check. */
export function epochDayToCivil(epochDay: number): CivilDate {
  const z = epochDay + 719468;
  const era = floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = floor(
    (dayOfEra - floor(dayOfEra / 1460) + floor(dayOfEra / 36524) - floor(dayOfEra / 146096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + floor(yearOfEra / 4) - floor(yearOfEra / 100));
  const mp = floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

/** Validates `date` and returns its epoch day (days since 1970-01-01). */
export function toEpochDay(date: CalendarDate): number {
  const { year, month, day } = parseCalendarDate(date);
  return civilToEpochDay(year, month, day);
}

export function formatCivilDate(year: number, month: number, day: number): CalendarDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * The `YYYY-MM-DD` string of an epoch day. Throws a `RangeError` when the result would fall
 * outside 0001-01-01 … 9999-12-31 (e.g. when working-day arithmetic runs off the end).
 */
export function fromEpochDay(epochDay: number): CalendarDate {
  if (!Number.isSafeInteger(epochDay)) {
    throw new RangeError(`Invalid epoch day ${String(epochDay)}: expected a safe integer`);
  }
  const { year, month, day } = epochDayToCivil(epochDay);
  if (year < MIN_YEAR || year > MAX_YEAR) {
    throw new RangeError(
      `Calendar date out of range: epoch day ${epochDay} is outside 0001-01-01 … 9999-12-31`,
    );
  }
  return formatCivilDate(year, month, day);
}

/** ISO weekday of an epoch day: Monday = 1 … Sunday = 7 (1970-01-01 was a Thursday). */
export function isoWeekdayOfEpochDay(epochDay: number): number {
  return ((((epochDay + 3) % 7) + 7) % 7) + 1;
}

/** ISO weekday of a calendar date: Monday = 1 … Sunday = 7. */
export function isoWeekday(date: CalendarDate): number {
  return isoWeekdayOfEpochDay(toEpochDay(date));
}

/** `date` shifted by `days` calendar days (any sign). */
export function addCalendarDays(date: CalendarDate, days: number): CalendarDate {
  if (!Number.isSafeInteger(days)) {
    throw new RangeError(`Invalid day count ${String(days)}: expected an integer`);
  }
  return fromEpochDay(toEpochDay(date) + days);
}
