import { TestClock } from './clock.js';

describe('TestClock', () => {
  it('stands still once set and moves only forward when told', () => {
    const c = new TestClock();
    c.set(new Date('2027-06-24T21:00:00.000Z'));
    expect(c.now().toISOString()).toBe('2027-06-24T21:00:00.000Z');
    c.advance(3_600_000);
    expect(c.now().toISOString()).toBe('2027-06-24T22:00:00.000Z');
    expect(() => c.advance(-1)).toThrow(RangeError);
  });

  it('runs the registered hooks with the new now, in order', async () => {
    const c = new TestClock();
    c.set(new Date('2027-01-01T00:00:00.000Z'));
    const seen: string[] = [];
    c.onMoved((now) => void seen.push(`a ${now.toISOString()}`));
    c.onMoved(async (now) => void seen.push(`b ${now.toISOString()}`));
    c.advance(1000);
    await c.runHooks();
    expect(seen).toEqual(['a 2027-01-01T00:00:01.000Z', 'b 2027-01-01T00:00:01.000Z']);
  });
});
