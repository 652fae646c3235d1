import fc from 'fast-check';
import { addWorkingDaysAt, helsinkiDateTime, toHelsinkiDate } from './helsinki-time.js';
import { addWorkingDays } from './working-days.js';

const at = (iso: string) => new Date(iso);

/** Independent oracle: Helsinki wall-clock date and time via Intl (the runtime's ICU). */
const wallClockFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Helsinki',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
function wallClock(instant: Date): { date: string; time: string } {
  const parts = Object.fromEntries(wallClockFormat.formatToParts(instant).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

const MS_PER_MINUTE = 60_000;
const anyInstant = fc
  .integer({ min: Date.UTC(1990, 0, 1) / MS_PER_MINUTE, max: Date.UTC(2100, 11, 31) / MS_PER_MINUTE })
  .map((minute) => new Date(minute * MS_PER_MINUTE));
const anyDate = anyInstant.map((instant) => instant.toISOString().slice(0, 10));
const anyTime = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
/** The last Sunday of March or October (EU summer-time transitions) of 1990–2100. */
const dstDay = fc.tuple(fc.integer({ min: 1990, max: 2100 }), fc.constantFrom(3, 10)).map(([year, month]) => {
  const lastDay = new Date(Date.UTC(year, month, 0));
  lastDay.setUTCDate(lastDay.getUTCDate() - lastDay.getUTCDay());
  return lastDay.toISOString().slice(0, 10);
});
/** 02:00–04:59, around the transitions. */
const earlyMorning = fc
  .tuple(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m]) => `0${h}:${String(m).padStart(2, '0')}`);
/** Instants within ±3 h of 01:00Z on a transition day (and of Helsinki midnight near it). */
const aroundTransition = fc
  .tuple(dstDay, fc.integer({ min: -360, max: 180 }))
  .map(([day, minutes]) => new Date(Date.parse(`${day}T01:00:00Z`) + minutes * MS_PER_MINUTE));

describe('toHelsinkiDate', () => {
  it.each([
    // Spring forward: 2026-03-29 01:00Z (03:00 EET → 04:00 EEST).
    ['2026-03-28T21:59:59.999Z', '2026-03-28'], // 23:59:59.999 EET
    ['2026-03-28T22:00:00.000Z', '2026-03-29'], // 00:00 EET
    ['2026-03-28T22:30:00.000Z', '2026-03-29'], // 00:30 EET
    ['2026-03-28T21:30:00.000Z', '2026-03-28'], // 23:30 EET (would be 00:30 if summer time were assumed)
    ['2026-03-29T20:59:59.999Z', '2026-03-29'], // 23:59 EEST
    ['2026-03-29T21:00:00.000Z', '2026-03-30'], // 00:00 EEST
    // Fall back: 2026-10-25 01:00Z (04:00 EEST → 03:00 EET).
    ['2026-10-24T20:59:59.999Z', '2026-10-24'], // 23:59 EEST
    ['2026-10-24T21:30:00.000Z', '2026-10-25'], // 00:30 EEST (would be 23:30 if winter time were assumed)
    ['2026-10-25T21:59:59.999Z', '2026-10-25'], // 23:59 EET
    ['2026-10-25T22:00:00.000Z', '2026-10-26'], // 00:00 EET
    // Ordinary winter / summer days and the year boundary.
    ['2026-01-15T21:59:00.000Z', '2026-01-15'],
    ['2026-01-15T22:00:00.000Z', '2026-01-16'],
    ['2026-07-01T20:59:00.000Z', '2026-07-01'],
    ['2026-07-01T21:00:00.000Z', '2026-07-02'],
    ['2026-12-31T21:59:59.999Z', '2026-12-31'],
    ['2026-12-31T22:00:00.000Z', '2027-01-01'],
  ])('%s is %s in Helsinki', (instant, date) => {
    expect(toHelsinkiDate(at(instant))).toBe(date);
  });

  it('agrees with Intl (property)', () => {
    fc.assert(
      fc.property(fc.oneof(anyInstant, aroundTransition), (instant) => toHelsinkiDate(instant) === wallClock(instant).date),
      { numRuns: 1000 },
    );
  });

  it('agrees with Intl minute by minute across both changes of a year, asked in order (the offset of the last hour asked is kept)', () => {
    for (const start of [Date.UTC(2026, 2, 28, 20), Date.UTC(2026, 9, 24, 20), Date.UTC(2026, 9, 25, 20)]) {
      for (let ms = start; ms < start + 6 * 3_600_000; ms += 60_000 - 1) {
        expect([new Date(ms).toISOString(), toHelsinkiDate(new Date(ms))]).toEqual([new Date(ms).toISOString(), wallClock(new Date(ms)).date]);
      }
    }
  });

  it('holds what the kept offset relies on: since 1922 Helsinki’s offset changes only on whole UTC hours', () => {
    // Every change between 1922 and 2100 found on a 6-hour grid (summer time lasts months) and
    // narrowed to the millisecond with the runtime's own time-zone data.
    const offsetAt = (ms: number) => {
      const { date, time } = wallClock(new Date(ms));
      return Math.round((Date.parse(`${date}T${time}:00Z`) - Math.floor(ms / 60_000) * 60_000) / 60_000);
    };
    const step = 6 * 3_600_000;
    const off: string[] = [];
    let changes = 0;
    for (let t = Date.UTC(1922, 0, 1); t < Date.UTC(2100, 0, 1); t += step) {
      const before = offsetAt(t);
      if (offsetAt(t + step) === before) continue;
      let lo = Math.floor(t / 60_000);
      let hi = Math.floor((t + step) / 60_000);
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (offsetAt(mid * 60_000) === before) lo = mid;
        else hi = mid;
      }
      changes++;
      if (hi % 60 !== 0) off.push(new Date(hi * 60_000).toISOString());
    }
    expect(changes).toBeGreaterThan(100);
    expect(off).toEqual([]);
  });

  it('rejects invalid instants', () => {
    expect(() => toHelsinkiDate(new Date(Number.NaN))).toThrow(RangeError);
    expect(() => toHelsinkiDate('2026-01-01T00:00:00Z' as unknown as Date)).toThrow(/expected a valid Date/);
  });
});

describe('helsinkiDateTime', () => {
  it.each([
    ['2026-01-15', '09:00', '2026-01-15T07:00:00.000Z'], // winter: UTC+2
    ['2026-06-15', '09:00', '2026-06-15T06:00:00.000Z'], // summer: UTC+3
    ['2026-01-15', '00:00', '2026-01-14T22:00:00.000Z'],
    ['2026-06-15', '00:00', '2026-06-14T21:00:00.000Z'],
    ['2026-12-31', '23:59', '2026-12-31T21:59:00.000Z'],
    ['2027-01-01', '00:00', '2026-12-31T22:00:00.000Z'],
    // Spring-forward day 2026-03-29.
    ['2026-03-29', '00:00', '2026-03-28T22:00:00.000Z'],
    ['2026-03-29', '02:59', '2026-03-29T00:59:00.000Z'],
    ['2026-03-29', '04:00', '2026-03-29T01:00:00.000Z'],
    ['2026-03-29', '09:00', '2026-03-29T06:00:00.000Z'],
    // Fall-back day 2026-10-25.
    ['2026-10-25', '00:00', '2026-10-24T21:00:00.000Z'],
    ['2026-10-25', '02:59', '2026-10-24T23:59:00.000Z'],
    ['2026-10-25', '04:00', '2026-10-25T02:00:00.000Z'],
    ['2026-10-25', '09:00', '2026-10-25T07:00:00.000Z'],
    ['2026-10-26', '09:00', '2026-10-26T07:00:00.000Z'],
  ])('%s %s Helsinki is %s', (date, time, instant) => {
    expect(helsinkiDateTime(date, time).toISOString()).toBe(instant);
  });

  it.each([
    ['03:00', '2026-03-29T01:00:00.000Z'],
    ['03:30', '2026-03-29T01:30:00.000Z'],
    ['03:59', '2026-03-29T01:59:00.000Z'],
  ])('DST gap: the non-existent %s moves forward by an hour (→ %s)', (time, instant) => {
    const result = helsinkiDateTime('2026-03-29', time);
    expect(result.toISOString()).toBe(instant);
    expect(wallClock(result)).toEqual({ date: '2026-03-29', time: `04:${time.slice(3)}` });
  });

  it.each([
    ['03:00', '2026-10-25T00:00:00.000Z'],
    ['03:30', '2026-10-25T00:30:00.000Z'],
    ['03:59', '2026-10-25T00:59:00.000Z'],
  ])('DST overlap: the ambiguous %s is the earlier (summer-time) occurrence (→ %s)', (time, instant) => {
    const result = helsinkiDateTime('2026-10-25', time);
    expect(result.toISOString()).toBe(instant);
    // The later occurrence, one hour on, shows the same wall-clock time.
    expect(wallClock(new Date(result.getTime() + 3_600_000))).toEqual(wallClock(result));
    expect(wallClock(result)).toEqual({ date: '2026-10-25', time });
  });

  it('resolves the 2027 transitions the same way (last Sundays: 28 March, 31 October)', () => {
    expect(helsinkiDateTime('2027-03-28', '03:30').toISOString()).toBe('2027-03-28T01:30:00.000Z');
    expect(helsinkiDateTime('2027-10-31', '03:30').toISOString()).toBe('2027-10-31T00:30:00.000Z');
  });

  it('shows the requested wall-clock time on the requested date, except inside the spring gap (property)', () => {
    const pad = (n: number) => String(n).padStart(2, '0');
    fc.assert(
      fc.property(fc.oneof(anyDate, dstDay), fc.oneof(anyTime, earlyMorning), (date, time) => {
        const instant = helsinkiDateTime(date, time);
        const shown = wallClock(instant);
        if (shown.time === time) return shown.date === date;
        // Otherwise `time` does not exist that day: it is moved forward by exactly one hour, and
        // the wall clock jumps there (one hour earlier it shows two hours less).
        const hour = Number(time.slice(0, 2));
        const minute = time.slice(3);
        const hourBefore = wallClock(new Date(instant.getTime() - 3_600_000));
        return (
          shown.date === date &&
          shown.time === `${pad(hour + 1)}:${minute}` &&
          hourBefore.time === `${pad(hour - 1)}:${minute}` &&
          date.slice(5, 7) === '03'
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('round-trips every instant through its Helsinki wall-clock time, except second occurrences (property)', () => {
    fc.assert(
      fc.property(fc.oneof(anyInstant, aroundTransition), (instant) => {
        const { date, time } = wallClock(instant);
        const back = helsinkiDateTime(date, time).getTime();
        return back === instant.getTime() || back === instant.getTime() - 3_600_000;
      }),
      { numRuns: 1000 },
    );
  });

  it.each([['9:00'], ['09:0'], ['24:00'], ['12:60'], ['09:00:00'], ['09.00'], [''], ['noon'], [' 09:00'], ['-1:00']])(
    'rejects the time %j with a RangeError',
    (time) => {
      expect(() => helsinkiDateTime('2026-01-15', time)).toThrow(RangeError);
      expect(() => helsinkiDateTime('2026-01-15', time)).toThrow(`Invalid time ${JSON.stringify(time)}`);
    },
  );

  it('rejects malformed dates', () => {
    expect(() => helsinkiDateTime('2026-01-32', '09:00')).toThrow(RangeError);
    expect(() => helsinkiDateTime('15.1.2026', '09:00')).toThrow(RangeError);
  });
});

describe('addWorkingDaysAt', () => {
  it('uses the Helsinki date of the instant, not the UTC date', () => {
    // 2026-12-23T22:30Z is already 00:30 on Christmas Eve in Helsinki.
    expect(addWorkingDaysAt(at('2026-12-23T22:30:00Z'), 0, '09:00').toISOString()).toBe('2026-12-28T07:00:00.000Z');
    expect(addWorkingDaysAt(at('2026-12-23T21:30:00Z'), 0, '09:00').toISOString()).toBe('2026-12-23T07:00:00.000Z');
    expect(addWorkingDaysAt(at('2026-12-23T21:30:00Z'), 1, '16:00').toISOString()).toBe('2026-12-28T14:00:00.000Z');
  });

  it('lands on the right side of Midsummer and of DST changes', () => {
    // Thursday 18 June 2026, 23:30 Helsinki → next working day is Monday 22 June; 16:00 EEST = 13:00Z.
    expect(addWorkingDaysAt(at('2026-06-18T20:30:00Z'), 1, '16:00').toISOString()).toBe('2026-06-22T13:00:00.000Z');
    // Friday 27 March 2026 (EET) + 1 → Monday 30 March, 09:00 EEST = 06:00Z.
    expect(addWorkingDaysAt(at('2026-03-27T10:00:00Z'), 1, '09:00').toISOString()).toBe('2026-03-30T06:00:00.000Z');
    // Friday 23 October 2026 (EEST) + 1 → Monday 26 October, 09:00 EET = 07:00Z.
    expect(addWorkingDaysAt(at('2026-10-23T10:00:00Z'), 1, '09:00').toISOString()).toBe('2026-10-26T07:00:00.000Z');
    // Backwards across New Year: Monday 4 January 2027 − 1 → Thursday 31 December 2026.
    expect(addWorkingDaysAt(at('2027-01-04T08:00:00Z'), -1, '12:00').toISOString()).toBe('2026-12-31T10:00:00.000Z');
  });

  it('is helsinkiDateTime(addWorkingDays(toHelsinkiDate(instant), n), time) (property)', () => {
    fc.assert(
      fc.property(anyInstant, fc.integer({ min: -30, max: 30 }), anyTime, (instant, n, time) => {
        const result = addWorkingDaysAt(instant, n, time);
        return (
          result.getTime() === helsinkiDateTime(addWorkingDays(toHelsinkiDate(instant), n), time).getTime() &&
          toHelsinkiDate(result) === addWorkingDays(toHelsinkiDate(instant), n)
        );
      }),
      { numRuns: 300 },
    );
  });

  it('validates all arguments', () => {
    expect(() => addWorkingDaysAt(new Date(Number.NaN), 1, '09:00')).toThrow(RangeError);
    expect(() => addWorkingDaysAt(at('2026-06-18T10:00:00Z'), 1.5, '09:00')).toThrow(RangeError);
    expect(() => addWorkingDaysAt(at('2026-06-18T10:00:00Z'), 1, '9am')).toThrow(RangeError);
  });
});
