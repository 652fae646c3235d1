import { isTimerWakeJobId, TIMER_HORIZON_MS, timerWakeJobId, wakeDelay } from './timer-jobs.js';
import { assertTimerCatalog, TimerCatalogError } from './timer-kinds.js';

describe('timer wake-up job ids', () => {
  const id = '0b8e3c1e-6a51-4d43-9c27-2f0c6f7d5a10';

  it('derive from the timer id and the due instant, compactly and without ":"', () => {
    const jobId = timerWakeJobId(id, new Date('2027-03-01T07:00:00.000Z'));
    // "t", the uuid's bytes in base64url, 1803884400000 in base 36 (worked out with Python's base64).
    expect(jobId).toBe('tC448HmpRTUOcJy8Mb31aEAn0oy7340');
    expect(jobId).toMatch(/^t[A-Za-z0-9_-]{22}[0-9a-z]+$/);
    expect(jobId).not.toContain(':');
    expect(isTimerWakeJobId(jobId)).toBe(true);
    expect(isTimerWakeJobId(timerWakeJobId(id, new Date(-1)))).toBe(true); // before 1970: "-1" in base 36
    for (const other of ['repeat:timers-reconcile:1', 'notification-1', `timer-${id}-1803884400000`, undefined]) expect(isTimerWakeJobId(other)).toBe(false);
  });

  it('differ for timers that differ in one digit, at the same instant', () => {
    const at = new Date('2027-03-01T07:00:00.000Z');
    const ids = ['0', '1', 'f'].map((d) => timerWakeJobId(`${id.slice(0, -1)}${d}`, at));
    expect(new Set(ids).size).toBe(3);
    expect(timerWakeJobId(id, at)).not.toBe(timerWakeJobId(`1${id.slice(1)}`, at));
  });

  it('change when the timer is rescheduled, and stay equal when it is not', () => {
    const a = timerWakeJobId(id, new Date('2027-03-01T07:00:00.000Z'));
    expect(timerWakeJobId(id.toUpperCase(), new Date('2027-03-01T07:00:00.000Z'))).toBe(a);
    expect(timerWakeJobId(id, new Date('2027-03-01T07:00:00.001Z'))).not.toBe(a);
  });

  it('refuse what is not a timer id or a time', () => {
    expect(() => timerWakeJobId('x:1', new Date())).toThrow(RangeError);
    expect(() => timerWakeJobId('------------------------------------', new Date())).toThrow(RangeError);
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
