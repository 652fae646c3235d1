/**
 * When conferences meet and when their agendas close. Pure: no Nest, no I/O.
 *
 * Cadence. A group's `cadence` is an RFC 5545 RRULE without DTSTART (e.g. the default
 * `FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2`, the second Tuesday). It is evaluated on Helsinki calendar
 * dates with `rrule` in floating time (UTC components read as Helsinki wall-clock dates), from a
 * fixed anchor, {@link CADENCE_ANCHOR} (a Monday), so that INTERVAL phases (`FREQ=WEEKLY;
 * INTERVAL=2`) never depend on the period asked for. A rule that names no day (plain
 * `FREQ=MONTHLY`) therefore falls on the anchor's day of month or weekday; COUNT is ignored
 * (a cadence is open-ended), UNTIL is honoured, any BYHOUR/BYMINUTE is ignored (the time is the
 * group's `meetingStartTime`). An occurrence on a day that is not a Finnish working day
 * (weekend, public holiday, Midsummer or Christmas Eve) moves to the next working day, the
 * Finnish deadline rule. Several occurrences landing on one day give one meeting.
 *
 * Cut-off. `cutoffAt` = the instant at the meeting's own Helsinki wall-clock start time (for a
 * generated conference: `meetingStartTime`) on the date `referralCutoffWorkingDays` working days
 * before the meeting date, counted with `workingDaysBefore` (the last working day before the
 * meeting is 1; the meeting day itself never counts; with 0 the cut-off is the meeting itself
 * when it is on a working day). A case is placed automatically only while `now < cutoffAt`:
 * at the cut-off instant itself it is too late.
 * Example: meeting Tue 2027-01-12 09:00, 8 working days → Tue 2026-12-29 09:00 (07:00Z),
 * skipping the weekends and 6 January (Epiphany): 1 = Jan 11, 2 = Jan 8, 3 = Jan 7, 4 = Jan 5,
 * 5 = Jan 4, 6 = Dec 31, 7 = Dec 30, 8 = Dec 29.
 *
 * An extraordinary (emergency) conference has no cut-off in that sense: its `cutoffAt` is the
 * moment it was scheduled, it never takes automatic placements, and cases are put on it
 * explicitly (the coordinator's choice) until it starts.
 */
import { DateTime } from 'luxon';
import rrule from 'rrule';
import {
  type CalendarDate,
  HELSINKI_TIME_ZONE,
  addCalendarDays,
  deadlineDate,
  helsinkiDateTime,
  isCalendarDate,
  toHelsinkiDate,
  workingDaysBefore,
} from '../../../libs/business-calendar/index.js';

/** A Monday; the fixed start of every cadence's evaluation. */
export const CADENCE_ANCHOR: CalendarDate = '2024-01-01';
/** Opening, confidentiality acknowledgements, review of earlier actions, close. */
export const CONFERENCE_FRAME_MINUTES = 30;
/** The longest period one generate call may cover, in days. */
export const MAX_GENERATE_DAYS = 731;
/** More meetings than this in one period is surely a mistaken cadence. */
export const MAX_GENERATED_CONFERENCES = 400;
/** How far before `from` occurrences are looked for, so one moved into the period is found. */
const SHIFT_LOOKBACK_DAYS = 14;

export class CadenceError extends Error {
  override name = 'CadenceError';
}

function floating(date: CalendarDate): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d));
}

function floatingDate(instant: Date): CalendarDate {
  return instant.toISOString().slice(0, 10);
}

/**
 * The meeting dates of `cadence` that fall in [from, to] (inclusive, Helsinki dates) after
 * non-working days are moved to the next working day; ascending, without duplicates.
 */
export function cadenceMeetingDates(cadence: string, from: CalendarDate, to: CalendarDate): CalendarDate[] {
  if (!isCalendarDate(from) || !isCalendarDate(to)) throw new CadenceError('from and to must be YYYY-MM-DD dates');
  if (to < from) throw new CadenceError('to must not be before from');
  if ((floating(to).getTime() - floating(from).getTime()) / 86_400_000 > MAX_GENERATE_DAYS) throw new CadenceError(`the period may cover at most ${MAX_GENERATE_DAYS} days`);
  let options: Partial<rrule.Options>;
  try {
    options = rrule.RRule.parseString(cadence.trim().replace(/^RRULE:/i, ''));
  } catch {
    throw new CadenceError('the cadence is not an RRULE');
  }
  if (options.freq === undefined) throw new CadenceError('the cadence has no FREQ');
  const { count: _count, dtstart: _dtstart, tzid: _tzid, byhour: _h, byminute: _m, bysecond: _s, ...rest } = options;
  const rule = new rrule.RRule({ ...rest, dtstart: floating(CADENCE_ANCHOR) });
  const after = floating(addCalendarDays(from, -SHIFT_LOOKBACK_DAYS));
  const before = new Date(floating(to).getTime() + 86_399_999);
  let seen = 0;
  const occurrences = rule.between(after, before, true, () => ++seen <= MAX_GENERATED_CONFERENCES * 2);
  if (seen > MAX_GENERATED_CONFERENCES * 2) throw new CadenceError(`the cadence gives more than ${MAX_GENERATED_CONFERENCES} meetings in the period`);
  const dates = new Set<CalendarDate>();
  for (const occurrence of occurrences) {
    const meeting = deadlineDate(floatingDate(occurrence));
    if (meeting >= from && meeting <= to) dates.add(meeting);
  }
  if (dates.size > MAX_GENERATED_CONFERENCES) throw new CadenceError(`the cadence gives more than ${MAX_GENERATED_CONFERENCES} meetings in the period`);
  return [...dates].sort();
}

/** `HH:mm` on Helsinki wall clocks at `instant`. */
export function helsinkiClock(instant: Date): string {
  return DateTime.fromJSDate(instant, { zone: HELSINKI_TIME_ZONE }).toFormat('HH:mm');
}

/** See the module comment: `workingDays` working days before the meeting, at its start time. */
export function cutoffFor(startsAt: Date, workingDays: number): Date {
  return helsinkiDateTime(workingDaysBefore(toHelsinkiDate(startsAt), workingDays), helsinkiClock(startsAt));
}

/** Every case's slot plus {@link CONFERENCE_FRAME_MINUTES}. */
export function defaultEndsAt(startsAt: Date, capacity: number, minutesPerCase: number): Date {
  return new Date(startsAt.getTime() + (capacity * minutesPerCase + CONFERENCE_FRAME_MINUTES) * 60_000);
}

/** The slot of the item at 0-based `position`. */
export function slotStartsAt(startsAt: Date, position: number, minutesPerCase: number): Date {
  return new Date(startsAt.getTime() + position * minutesPerCase * 60_000);
}
