import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations.js';
import { PreparingClient } from './preparing-client.js';

/** The one TypeORM options object shared by the app, the migration CLI and the tests. */
export function dataSourceOptions(url: string, extra: Partial<DataSourceOptions> = {}): DataSourceOptions {
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
    // Parameterised statements run prepared (PreparingClient): parsed once per connection. Off
    // with MARAK_DB_PREPARED_STATEMENTS=false, for a connection pooler that cannot keep them (PgBouncer in
    // transaction mode before 1.21).
    extra: {
      max: Number(process.env.MARAK_DB_POOL_SIZE ?? 10),
      application_name: 'marak',
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 300_000,
      ...(process.env.MARAK_DB_PREPARED_STATEMENTS === 'false' ? {} : { Client: PreparingClient }),
    },
    ...extra,
  } as DataSourceOptions;
}
