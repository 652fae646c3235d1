import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options.js';

/** Advisory lock key taken while migrating, so replicas starting together do not race. */
export const MIGRATION_LOCK_KEY = 724_615_001;

/** Runs pending migrations under a PostgreSQL advisory lock; returns the names it applied. */
export async function runMigrations(url: string, logger?: Logger): Promise<string[]> {
  const ds = new DataSource(dataSourceOptions(url, { extra: { max: 2 } } as never));
  await ds.initialize();
  const lock = ds.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await ds.runMigrations({ transaction: 'each' });
    const names = applied.map((m) => m.name);
    if (names.length) logger?.info({ migrations: names }, `applied ${names.length} migration(s)`);
    return names;
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.release();
    await ds.destroy();
  }
}
