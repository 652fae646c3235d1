/**
 * Data source for the TypeORM CLI (`npx typeorm -d dist/src/platform/database/data-source.js
 * migration:generate …`, `migration:run`). The app's options, with the pool migrations run on
 * (MIGRATION_POOL: unprepared, as `runMigrations` runs them).
 */
import { DataSource } from 'typeorm';
import { MIGRATION_POOL, dataSourceOptions } from './data-source-options.js';

export default new DataSource(
  dataSourceOptions(process.env.DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/marak', {
    entities: ['dist/src/**/*.entity.js'],
    extra: MIGRATION_POOL,
  }),
);
