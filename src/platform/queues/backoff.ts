/**
 * Exponential backoff with jitter, for retries kept in PostgreSQL (timers, notifications).
 * Attempt n (1-based, the attempt that just failed) waits `min(max, base · 2^(n-1))`, of which
 * the fraction `jitter` is random, so many messages failing together (an SMTP outage) do not
 * all retry in the same instant.
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** 0 = no jitter, 1 = anywhere between 0 and the full delay ("full jitter"). */
  jitter: number;
  /** After this many failed attempts the row is marked failed. */
  maxAttempts: number;
}

export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError('attempt must be an integer >= 1');
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt - 1, 40));
  const floor = ceiling * (1 - policy.jitter);
  return Math.round(floor + random() * (ceiling - floor));
}

/** The earliest and latest delay of an attempt (for documentation and tests). */
export function backoffBounds(attempt: number, policy: BackoffPolicy): [number, number] {
  return [backoffDelay(attempt, policy, () => 0), backoffDelay(attempt, policy, () => 1)];
}
