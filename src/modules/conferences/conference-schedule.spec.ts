import fc from 'fast-check';
import { isWorkingDay, toHelsinkiDate, workingDaysBetween } from '../../../libs/business-calendar/index.js';
import { comparePriority, insertionIndex, isPermutationOf, type AgendaPriority } from './agenda-order.js';
import { CadenceError, cadenceMeetingDates, cutoffFor, defaultEndsAt, helsinkiClock, slotStartsAt } from './conference-schedule.js';

describe('cadenceMeetingDates', () => {
  it('gives the second Tuesdays by default', () => {
    expect(cadenceMeetingDates('FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2', '2027-01-01', '2027-03-31')).toEqual(['2027-01-12', '2027-02-09', '2027-03-09']);
  });

  it('moves a meeting off a holiday or weekend, and keeps one moved into the period', () => {
    expect(cadenceMeetingDates('FREQ=MONTHLY;BYMONTHDAY=6', '2027-12-01', '2027-12-31')).toEqual(['2027-12-07']);
    // Fri 24 Dec 2027 (Christmas Eve) → 25, 26 are holidays, 27 Mon is a working day.
    expect(cadenceMeetingDates('FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24', '2027-12-27', '2027-12-31')).toEqual(['2027-12-27']);
  });

  it('keeps the phase of an INTERVAL whatever the period asked for', () => {
    const whole = cadenceMeetingDates('FREQ=WEEKLY;INTERVAL=2;BYDAY=WE', '2027-01-01', '2027-03-31');
    const part = cadenceMeetingDates('FREQ=WEEKLY;INTERVAL=2;BYDAY=WE', '2027-02-01', '2027-03-31');
    expect(whole.filter((d) => d >= '2027-02-01')).toEqual(part);
    expect(whole.length).toBeGreaterThan(5);
  });

  it('ignores COUNT (a cadence is open-ended) and refuses what is not a rule or a period', () => {
    expect(cadenceMeetingDates('FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2;COUNT=1', '2027-01-01', '2027-03-31')).toHaveLength(3);
    expect(() => cadenceMeetingDates('every tuesday', '2027-01-01', '2027-03-31')).toThrow(CadenceError);
    expect(() => cadenceMeetingDates('FREQ=MONTHLY', '2027-03-31', '2027-01-01')).toThrow(CadenceError);
    expect(() => cadenceMeetingDates('FREQ=DAILY', '2027-01-01', '2029-12-31')).toThrow(CadenceError);
  });

  it('puts every meeting on a working day inside the period (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 28 }), fc.integer({ min: 2026, max: 2032 }), (day, year) => {
        const dates = cadenceMeetingDates(`FREQ=MONTHLY;BYMONTHDAY=${day}`, `${year}-01-01`, `${year}-12-31`);
        return dates.every((d) => isWorkingDay(d) && d.startsWith(String(year))) && new Set(dates).size === dates.length;
      }),
      { numRuns: 40 },
    );
  });
});

describe('cutoffFor', () => {
  it('is n working days before the meeting at the meeting’s wall-clock time, across DST', () => {
    expect(cutoffFor(new Date('2027-01-12T07:00:00Z'), 8).toISOString()).toBe('2026-12-29T07:00:00.000Z');
    // Meeting in summer time, cut-off in winter time: both 09:00 Helsinki.
    expect(cutoffFor(new Date('2027-04-06T06:00:00Z'), 8).toISOString()).toBe('2027-03-23T07:00:00.000Z');
    // 0 working days: the meeting itself.
    expect(cutoffFor(new Date('2027-01-12T07:00:00Z'), 0).toISOString()).toBe('2027-01-12T07:00:00.000Z');
  });

  it('leaves exactly n working days between cut-off and meeting (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 1, max: 20 }), (dayOffset, n) => {
        const meeting = new Date(Date.UTC(2026, 0, 1, 7) + dayOffset * 86_400_000);
        const cutoff = cutoffFor(meeting, n);
        const [c, m] = [toHelsinkiDate(cutoff), toHelsinkiDate(meeting)];
        // The working days after the cut-off date up to the meeting date: n − 1, and the meeting day when it is one.
        return cutoff < meeting && isWorkingDay(c) && workingDaysBetween(c, m) === n - 1 + (isWorkingDay(m) ? 1 : 0) && helsinkiClock(cutoff) === helsinkiClock(meeting);
      }),
      { numRuns: 200 },
    );
  });

  it('derives the end and the slots from capacity and minutes per case', () => {
    const start = new Date('2027-01-12T07:00:00Z');
    expect(defaultEndsAt(start, 15, 15).toISOString()).toBe('2027-01-12T11:15:00.000Z');
    expect(slotStartsAt(start, 3, 20).toISOString()).toBe('2027-01-12T08:00:00.000Z');
  });
});

describe('agenda order', () => {
  const p = (deferred: boolean, isRepeat: boolean, score: number | null): AgendaPriority => ({ deferred, isRepeat, score });

  it('ranks deferred, then repeats, then higher scores, a missing score last', () => {
    const sorted = [p(false, false, null), p(false, false, 20), p(true, false, 1), p(false, true, 3), p(false, false, 0)].sort(comparePriority);
    expect(sorted).toEqual([p(true, false, 1), p(false, true, 3), p(false, false, 20), p(false, false, 0), p(false, false, null)]);
  });

  it('inserts before the first item outranked, after equals (earlier placement first)', () => {
    const agenda = [p(false, true, 10), p(false, false, 15), p(false, false, 15), p(false, false, null)];
    expect(insertionIndex(agenda, p(false, false, 15))).toBe(3);
    expect(insertionIndex(agenda, p(false, true, 12))).toBe(0);
    expect(insertionIndex(agenda, p(true, false, null))).toBe(0);
    expect(insertionIndex(agenda, p(false, false, null))).toBe(4);
    expect(insertionIndex([], p(false, false, 1))).toBe(0);
  });

  it('accepts a reorder only of exactly the scheduled items', () => {
    expect(isPermutationOf(['a', 'b', 'c'], ['c', 'a', 'b'])).toBe(true);
    expect(isPermutationOf(['a', 'b', 'c'], ['c', 'a'])).toBe(false);
    expect(isPermutationOf(['a', 'b', 'c'], ['c', 'a', 'a'])).toBe(false);
    expect(isPermutationOf(['a', 'b'], ['a', 'x'])).toBe(false);
  });
});
