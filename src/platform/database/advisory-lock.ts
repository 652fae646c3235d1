import type { DataSource } from 'typeorm';

/**
 * Runs `fn` while holding a PostgreSQL session advisory lock on a connection of its own (so the
 * lock spans the transactions `fn` opens): with `wait`, until the lock is granted; without, only
 * if it is free at once — otherwise `fn` does not run and the result is `undefined` (another
 * process is doing the same work). The lock is released however `fn` ends.
 */
export async function withSessionLock<T>(db: DataSource, key: number, { wait }: { wait: boolean }, fn: () => Promise<T>): Promise<T | undefined> {
  const lock = db.createQueryRunner();
  await lock.connect();
  try {
    if (wait) await lock.query('SELECT pg_advisory_lock($1)', [key]);
    else {
      const [{ locked }] = await lock.query('SELECT pg_try_advisory_lock($1) AS locked', [key]);
      if (!locked) return undefined;
    }
    try {
      return await fn();
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => undefined);
    }
  } finally {
    await lock.release();
  }
}
