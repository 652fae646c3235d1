/**
 * Conversions between instants (JS `Date`, UTC) and Europe/Helsinki calendar dates and
 * wall-clock times. Time-zone offsets come from luxon's `IANAZone` (i.e. the runtime's ICU tz
 * data); everything else is integer arithmetic.
 *
 * Helsinki is UTC+2 (EET) in winter and UTC+3 (EEST) in summer. Summer time starts on the last
 * Sunday of March at 03:00 local (01:00Z; clocks jump to 04:00) and ends on the last Sunday of
 * October at 04:00 local (01:00Z; clocks go back to 03:00).
 */
import { IANAZone } from 'luxon';
import { type CalendarDate, fromEpochDay, toEpochDay } from './calendar-date.js';
import { addWorkingDays } from './working-days.js';

export const HELSINKI_TIME_ZONE = 'Europe/Helsinki';

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
const TIME_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;

const helsinki = IANAZone.create(HELSINKI_TIME_ZONE);
if (!helsinki.isValid) {
  throw new Error(`Time zone ${HELSINKI_TIME_ZONE} is not available in this runtime's ICU data`);
}

const MS_PER_HOUR = 3_600_000;
/**
 * Since 1922 every change of Helsinki's offset has fallen on a whole UTC hour (summer time
 * starts and ends at 01:00Z), so the offset is constant within each UTC hour from then on.
 */
const WHOLE_HOUR_CHANGES_FROM_MS = Date.UTC(1922, 0, 1);
/** The last hour asked about and its offset: most calls are about "now" (luxon's offset formats the instant with Intl, about 10 µs a call). */
let lastHour = Number.NaN;
let lastHourOffset = 0;

/** Helsinki's UTC offset in minutes at the given instant (120 or 180 in modern times). */
function offsetMinutesAt(epochMs: number): number {
  if (!(epochMs >= WHOLE_HOUR_CHANGES_FROM_MS)) return helsinki.offset(epochMs);
  const hour = Math.floor(epochMs / MS_PER_HOUR);
  if (hour !== lastHour) {
    lastHourOffset = helsinki.offset(hour * MS_PER_HOUR);
    lastHour = hour;
  }
  return lastHourOffset;
}

function assertInstant(instant: unknown): asserts instant is Date {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) {
    throw new RangeError(`Invalid instant ${String(instant)}: expected a valid Date`);
  }
}

/** Parses `HH:mm` (24-hour, zero-padded, 00:00–23:59) into minutes after midnight. */
function parseTime(time: unknown): number {
  const match = typeof time === 'string' ? TIME_PATTERN.exec(time) : null;
  if (!match) {
    const shown = typeof time === 'string' ? JSON.stringify(time) : `${typeof time} ${String(time)}`;
    throw new RangeError(`Invalid time ${shown}: expected HH:mm (24-hour, 00:00–23:59)`);
  }
  return Number(match[1]) * 60 + Number(match[2]);
}

/**
 * The Helsinki calendar date (`YYYY-MM-DD`) of an instant, DST-aware:
 * `2026-03-28T22:30Z` → `2026-03-29` (00:30 EET), `2026-10-24T21:30Z` → `2026-10-25` (00:30 EEST).
 */
export function toHelsinkiDate(instant: Date): CalendarDate {
  assertInstant(instant);
  const epochMs = instant.getTime();
  const localMs = epochMs + offsetMinutesAt(epochMs) * MS_PER_MINUTE;
  return fromEpochDay(Math.floor(localMs / MS_PER_DAY));
}

/**
 * The instant at which Helsinki wall clocks show `time` (`HH:mm`) on `date`: e.g. 09:00 is
 * 07:00Z in winter and 06:00Z in summer.
 *
 * Wall-clock times that do not exist or occur twice are resolved deterministically, as
 * Temporal's default `disambiguation: 'compatible'` does:
 * - DST gap (last Sunday of March, 03:00–03:59 do not exist): the time is moved forward by the
 *   length of the gap, i.e. interpreted with the pre-transition offset (UTC+2). `03:30` becomes
 *   04:30 EEST = 01:30Z.
 * - DST overlap (last Sunday of October, 03:00–03:59 occur twice): the earlier occurrence, in
 *   summer time (UTC+3), is used. `03:30` becomes 03:30 EEST = 00:30Z (not 01:30Z).
 */
export function helsinkiDateTime(date: CalendarDate, time: string): Date {
  const epochDay = toEpochDay(date);
  const minutes = parseTime(time);
  // The wall-clock time read as if it were UTC.
  const wallMs = epochDay * MS_PER_DAY + minutes * MS_PER_MINUTE;
  // Helsinki has at most one offset change within any two days, so the offsets a day before
  // and a day after are the only candidates.
  const offsetBefore = offsetMinutesAt(wallMs - MS_PER_DAY);
  const offsetAfter = offsetMinutesAt(wallMs + MS_PER_DAY);
  const candidates = [offsetBefore, offsetAfter]
    .map((offset) => wallMs - offset * MS_PER_MINUTE)
    .filter((epochMs) => wallMs - offsetMinutesAt(epochMs) * MS_PER_MINUTE === epochMs);
  if (candidates.length > 0) {
    return new Date(Math.min(...candidates)); // overlap: the earlier instant
  }
  // Gap: use the offset in force before the transition, which lands after it.
  return new Date(wallMs - offsetBefore * MS_PER_MINUTE);
}

/**
 * The instant at `time` (Helsinki wall clock, `HH:mm`) on the working day
 * `addWorkingDays(toHelsinkiDate(instant), n)` — e.g. "3 working days from now, at 16:00".
 * See {@link addWorkingDays} for the meaning of `n` and {@link helsinkiDateTime} for DST.
 */
export function addWorkingDaysAt(instant: Date, n: number, time: string): Date {
  parseTime(time); // validate before doing any work
  return helsinkiDateTime(addWorkingDays(toHelsinkiDate(instant), n), time);
}
