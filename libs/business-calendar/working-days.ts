/**
 * Finnish working-day arithmetic on `YYYY-MM-DD` Helsinki calendar dates.
 *
 * A working day is a Monday–Friday that is not one of {@link finnishPublicHolidays}.
 * (Midsummer Eve and Christmas Eve count as non-working days.)
 */
import {
  type CalendarDate,
  civilToEpochDay,
  fromEpochDay,
  MAX_YEAR,
  MIN_YEAR,
  isoWeekdayOfEpochDay,
  SATURDAY,
  toEpochDay,
} from './calendar-date.js';
import { holidayNameOfEpochDay } from './holidays.js';

const FIRST_EPOCH_DAY = civilToEpochDay(MIN_YEAR, 1, 1);
const LAST_EPOCH_DAY = civilToEpochDay(MAX_YEAR, 12, 31);

function assertInteger(n: number, what: string): void {
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(`Invalid ${what} ${String(n)}: expected an integer`);
  }
}

/** Internal: working-day test on an epoch day. */
export function isWorkingEpochDay(epochDay: number): boolean {
  return isoWeekdayOfEpochDay(epochDay) < SATURDAY && holidayNameOfEpochDay(epochDay) === undefined;
}

/**
 * Internal: the |n|-th working day strictly after (n > 0) or strictly before (n < 0) `epochDay`.
 * Runs off the supported range into a `RangeError` from `fromEpochDay` at the latest.
 */
function stepWorkingDays(epochDay: number, n: number): number {
  const direction = n > 0 ? 1 : -1;
  let remaining = Math.abs(n);
  let day = epochDay;
  while (remaining > 0) {
    day += direction;
    if (isWorkingEpochDay(day)) {
      remaining -= 1;
    } else if (day < FIRST_EPOCH_DAY || day > LAST_EPOCH_DAY) {
      fromEpochDay(day); // throws the out-of-range RangeError
    }
  }
  return day;
}

/** True when `date` is Monday–Friday and not a Finnish public holiday. */
export function isWorkingDay(date: CalendarDate): boolean {
  return isWorkingEpochDay(toEpochDay(date));
}

/** The first working day strictly after `date`. */
export function nextWorkingDay(date: CalendarDate): CalendarDate {
  return fromEpochDay(stepWorkingDays(toEpochDay(date), 1));
}

/** The last working day strictly before `date`. */
export function previousWorkingDay(date: CalendarDate): CalendarDate {
  return fromEpochDay(stepWorkingDays(toEpochDay(date), -1));
}

/**
 * The Finnish deadline rule (laki säädettyjen määräaikain laskemisesta): a deadline falling on
 * a day that is not a working day moves to the next working day; a working day is unchanged.
 * E.g. an action due on Midsummer Eve (Friday) is due on the following Monday.
 */
export function deadlineDate(date: CalendarDate): CalendarDate {
  const epochDay = toEpochDay(date);
  return isWorkingEpochDay(epochDay) ? date : fromEpochDay(stepWorkingDays(epochDay, 1));
}

/**
 * Working-day arithmetic. `n` must be an integer.
 *
 * - `n === 0`: {@link deadlineDate} — `date` itself if it is a working day, otherwise the next
 *   working day.
 * - `n > 0`: the n-th working day strictly after `date`, counting the first working day after
 *   `date` as 1. `date` itself never counts, whether or not it is a working day (so for a
 *   Saturday `date`, n = 1 gives the Monday, the same as n = 0).
 * - `n < 0`: the |n|-th working day strictly before `date`, counting the last working day before
 *   `date` as 1.
 *
 * The result is always a working day. When `date` is a working day the function is strictly
 * increasing in `n` over all integers, `addWorkingDays(addWorkingDays(date, n), m)` equals
 * `addWorkingDays(date, n + m)`, and `workingDaysBetween(date, addWorkingDays(date, n)) === n`.
 * When `date` is not a working day, n = 0 and n = 1 give the same day; the function is still
 * strictly increasing for n ≥ 1 and the `workingDaysBetween` identity still holds for n ≥ 1.
 *
 * Example: `addWorkingDays('2026-12-23', 1) === '2026-12-28'` (24–27 December are all
 * non-working).
 */
export function addWorkingDays(date: CalendarDate, n: number): CalendarDate {
  assertInteger(n, 'working-day count');
  if (n === 0) return deadlineDate(date);
  return fromEpochDay(stepWorkingDays(toEpochDay(date), n));
}

/**
 * The n-th working day before `date`, for conference cut-offs ("8 working days before the
 * meeting"): for n ≥ 1 exactly `addWorkingDays(date, -n)`, i.e. the last working day before
 * `date` is n = 1. For n = 0 it is the latest working day on or before `date` (so a cut-off is
 * always a working day and never after `date`). A negative `n` throws a `RangeError`.
 */
export function workingDaysBefore(date: CalendarDate, n: number): CalendarDate {
  assertInteger(n, 'working-day count');
  if (n < 0) {
    throw new RangeError(`Invalid working-day count ${n}: workingDaysBefore expects n >= 0`);
  }
  const epochDay = toEpochDay(date);
  if (n === 0) {
    return isWorkingEpochDay(epochDay) ? date : fromEpochDay(stepWorkingDays(epochDay, -1));
  }
  return fromEpochDay(stepWorkingDays(epochDay, -n));
}

/**
 * The number of working days d with `from < d <= to`; when `to < from` the negated number of
 * working days d with `to < d <= from`. Hence it is antisymmetric
 * (`workingDaysBetween(a, b) === -workingDaysBetween(b, a)`), additive
 * (`between(a, b) + between(b, c) === between(a, c)`), 0 for equal dates, and the inverse of
 * {@link addWorkingDays} as documented there.
 */
export function workingDaysBetween(from: CalendarDate, to: CalendarDate): number {
  const start = toEpochDay(from);
  const end = toEpochDay(to);
  const low = Math.min(start, end);
  const high = Math.max(start, end);
  let count = 0;
  for (let day = low + 1; day <= high; day += 1) {
    if (isWorkingEpochDay(day)) count += 1;
  }
  return end >= start ? count : 0 - count; // never -0
}
