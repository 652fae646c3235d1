import fc from 'fast-check';
import { backoffBounds, backoffDelay, type BackoffPolicy } from './backoff.js';

const policy: BackoffPolicy = { baseMs: 30_000, maxMs: 3_600_000, jitter: 0.5, maxAttempts: 10 };

describe('backoffDelay', () => {
  it('doubles per attempt up to the cap, jitter taking at most the given fraction', () => {
    expect(backoffBounds(1, policy)).toEqual([15_000, 30_000]);
    expect(backoffBounds(2, policy)).toEqual([30_000, 60_000]);
    expect(backoffBounds(5, policy)).toEqual([240_000, 480_000]);
    expect(backoffBounds(10, policy)).toEqual([1_800_000, 3_600_000]);
    expect(backoffBounds(1000, policy)).toEqual([1_800_000, 3_600_000]);
  });

  it('stays within its bounds for any random draw', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
        const [lo, hi] = backoffBounds(attempt, policy);
        const d = backoffDelay(attempt, policy, () => r);
        return d >= lo && d <= hi;
      }),
    );
  });

  it('spreads retries of messages that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(3, policy)));
    expect(delays.size).toBeGreaterThan(40);
  });

  it('outlasts a ten-minute outage before giving up', () => {
    let total = 0;
    for (let a = 1; a < policy.maxAttempts; a++) total += backoffBounds(a, policy)[0];
    expect(total).toBeGreaterThan(10 * 60_000);
  });

  it('refuses an attempt number below 1', () => {
    expect(() => backoffDelay(0, policy)).toThrow(RangeError);
  });
});
