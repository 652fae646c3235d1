import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { withSessionLock } from './advisory-lock.js';
import { MIGRATION_POOL, dataSourceOptions } from './data-source-options.js';
import { LOCK_KEYS } from './lock-keys.js';

/** Advisory lock key taken while migrating, so replicas starting together do not race. */
export const MIGRATION_LOCK_KEY = LOCK_KEYS.migrations;

/** Runs pending migrations under a PostgreSQL advisory lock; returns the names it applied. */
export async function runMigrations(url: string, logger?: Logger): Promise<string[]> {
  const ds = new DataSource(dataSourceOptions(url, { extra: { ...MIGRATION_POOL, max: 2 } }));
  await ds.initialize();
  try {
    const applied = (await withSessionLock(ds, MIGRATION_LOCK_KEY, { wait: true }, () => ds.runMigrations({ transaction: 'each' })))!;
    const names = applied.map((m) => m.name);
    if (names.length) logger?.info({ migrations: names }, `applied ${names.length} migration(s)`);
    return names;
  } finally {
    await ds.destroy();
  }
}
