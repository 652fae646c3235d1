/**
 * Data source for the TypeORM CLI (`npx typeorm -d dist/src/platform/database/data-source.js
 * migration:generate …`). Same options as the app.
 */
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options.js';

export default new DataSource(
  dataSourceOptions(process.env.DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/marak', {
    entities: ['dist/src/**/*.entity.js'],
  }),
);
