/**
 * Finnish business calendar: Helsinki calendar dates (`YYYY-MM-DD`), Finnish public holidays,
 * working-day arithmetic and Helsinki wall-clock ⇄ instant conversion. Pure: no Nest, no I/O.
 */
export {
  type CalendarDate,
  addCalendarDays,
  assertCalendarDate,
  isCalendarDate,
  isoWeekday,
  parseCalendarDate,
} from './calendar-date.js';
export {
  type FinnishHoliday,
  easterSunday,
  finnishPublicHolidays,
  isPublicHoliday,
  publicHolidayName,
} from './holidays.js';
export {
  addWorkingDays,
  deadlineDate,
  isWorkingDay,
  nextWorkingDay,
  previousWorkingDay,
  workingDaysBefore,
  workingDaysBetween,
} from './working-days.js';
export { HELSINKI_TIME_ZONE, addWorkingDaysAt, helsinkiDateTime, toHelsinkiDate } from './helsinki-time.js';
