import { TIMER_HORIZON_MS, timerWakeJobId, wakeDelay } from './timer-jobs.js';
import { assertTimerCatalog, TimerCatalogError } from './timer-kinds.js';

describe('timer wake-up job ids', () => {
  const id = '0b8e3c1e-6a51-4d43-9c27-2f0c6f7d5a10';

  it('derive from the timer id and the due instant, without ":"', () => {
    const jobId = timerWakeJobId(id, new Date('2027-03-01T07:00:00.000Z'));
    expect(jobId).toBe(`timer-${id}-1803884400000`);
    expect(jobId).not.toContain(':');
  });

  it('change when the timer is rescheduled, and stay equal when it is not', () => {
    const a = timerWakeJobId(id, new Date('2027-03-01T07:00:00.000Z'));
    expect(timerWakeJobId(id.toUpperCase(), new Date('2027-03-01T07:00:00.000Z'))).toBe(a);
    expect(timerWakeJobId(id, new Date('2027-03-01T07:00:00.001Z'))).not.toBe(a);
  });

  it('refuse what is not a timer id or a time', () => {
    expect(() => timerWakeJobId('x:1', new Date())).toThrow(RangeError);
    expect(() => timerWakeJobId(id, new Date(Number.NaN))).toThrow(RangeError);
  });

  it('wake at the due time, or at once when it has passed', () => {
    const now = new Date('2027-03-01T07:00:00.000Z');
    expect(wakeDelay(new Date(now.getTime() + 5000), now)).toBe(5000);
    expect(wakeDelay(new Date(now.getTime() - 5000), now)).toBe(0);
    expect(TIMER_HORIZON_MS).toBe(172_800_000);
  });
});

describe('assertTimerCatalog', () => {
  it('passes when every kind has a handler', () => {
    expect(() => assertTimerCatalog(['a.b', 'c.d'], ['c.d', 'a.b'], ['a.b'])).not.toThrow();
  });

  it('refuses a kind without a handler, a handler without a kind and pending rows nobody can fire', () => {
    expect(() => assertTimerCatalog(['a.b'], ['a.b', 'c.d'])).toThrow(/c.d has no handler/);
    expect(() => assertTimerCatalog(['a.b', 'x.y'], ['a.b'])).toThrow(/x.y has a handler but is not in TIMER_KINDS/);
    expect(() => assertTimerCatalog(['a.b'], ['a.b'], ['old.kind'])).toThrow(TimerCatalogError);
  });
});
