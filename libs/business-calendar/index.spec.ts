import * as calendar from './index.js';

describe('business-calendar public API', () => {
  it('exports the whole contract from index.ts', () => {
    expect(Object.keys(calendar).sort()).toEqual(
      [
        'HELSINKI_TIME_ZONE',
        'addCalendarDays',
        'addWorkingDays',
        'addWorkingDaysAt',
        'assertCalendarDate',
        'deadlineDate',
        'easterSunday',
        'finnishPublicHolidays',
        'helsinkiDateTime',
        'isCalendarDate',
        'isPublicHoliday',
        'isWorkingDay',
        'isoWeekday',
        'nextWorkingDay',
        'parseCalendarDate',
        'previousWorkingDay',
        'publicHolidayName',
        'toHelsinkiDate',
        'workingDaysBefore',
        'workingDaysBetween',
      ].sort(),
    );
  });

  it('works end to end: a MARAK cut-off and a Midsummer deadline', () => {
    const meeting = calendar.helsinkiDateTime('2026-06-23', '09:00');
    expect(calendar.workingDaysBefore(calendar.toHelsinkiDate(meeting), 8)).toBe('2026-06-10');
    expect(calendar.deadlineDate('2026-06-19')).toBe('2026-06-22');
    expect(calendar.addWorkingDays('2026-12-23', 1)).toBe('2026-12-28');
  });
});
