import pg from 'pg';
import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations.js';
import { PreparingClient } from './preparing-client.js';

/** Options of `pg`'s pool (TypeORM's `extra`): a caller's are merged over the app's, key by key. */
export type PoolOptions = Record<string, unknown>;

/**
 * The pool's options for running migrations: plain `pg` clients, unprepared and without the
 * held-back transaction start. A migration that alters a table after reading it on the same
 * connection would otherwise find that statement stale and fail inside its transaction.
 * `runMigrations` and the TypeORM CLI's data source use it.
 */
export const MIGRATION_POOL: PoolOptions = { Client: pg.Client };

/**
 * The one TypeORM options object shared by the app, the migration CLI and the tests. `overrides`
 * replace TypeORM options whole, except `extra` (the pool's options), which is merged over the
 * app's: a smaller pool keeps the timeouts and the prepared statements.
 */
export function dataSourceOptions(url: string, overrides: Partial<Omit<DataSourceOptions, 'extra'>> & { extra?: PoolOptions } = {}): DataSourceOptions {
  const { extra: pool, ...rest } = overrides;
  return {
    type: 'postgres',
    url,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    // A connection that cannot be had within 10 s is an error, never an endless wait. Idle
    // connections are kept for 5 minutes (pg's default is 10 s): a new PostgreSQL backend starts
    // with cold caches, and reopening the pool's connections after every lull stalled requests.
    // Parameterised statements run prepared (PreparingClient): parsed once per connection, and a
    // transaction's start goes with its first statement. Both off
    // with MARAK_DB_PREPARED_STATEMENTS=false, for a connection pooler that cannot keep them (PgBouncer in
    // transaction mode before 1.21).
    extra: {
      max: Number(process.env.MARAK_DB_POOL_SIZE ?? 10),
      application_name: 'marak',
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 300_000,
      ...(process.env.MARAK_DB_PREPARED_STATEMENTS === 'false' ? {} : { Client: PreparingClient }),
      ...pool,
    },
    ...rest,
  } as DataSourceOptions;
}
