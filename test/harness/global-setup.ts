import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { resolveLocalServices } from '../../src/config/local-services.js';
import { runMigrations } from '../../src/platform/database/migrate.js';
import { createBaseLogger } from '../../src/platform/logging/logger.js';
import { ENV_PG_SERVER, ENV_REDIS, ENV_RUN, ENV_TEMPLATE } from './environment.js';

/**
 * Once per `npm test`: find or start PostgreSQL and Redis the way `npm start` does, and build a
 * migrated template database that every test file clones (`CREATE DATABASE … TEMPLATE`).
 */
export default async function globalSetup(): Promise<void> {
  const logger = createBaseLogger(process.env.LOG_LEVEL ?? 'warn');
  const runId = randomBytes(4).toString('hex');
  const template = `marak_tpl_${runId}`;
  const services = await resolveLocalServices(
    { databaseUrl: process.env.DATABASE_URL, redisUrl: process.env.REDIS_URL, dataDir: '.data/test', databaseName: template },
    logger,
  );
  const url = new URL(services.databaseUrl);
  const pgServer = `${url.protocol}//${url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : ''}${url.host}`;
  // A DATABASE_URL given explicitly names an existing database: build the template beside it.
  const admin = new pg.Client({ connectionString: `${pgServer}/postgres` });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${template}`);
    await admin.query(`CREATE DATABASE ${template}`);
  } finally {
    await admin.end();
  }
  await runMigrations(`${pgServer}/${template}`);

  process.env[ENV_PG_SERVER] = pgServer;
  process.env[ENV_TEMPLATE] = template;
  process.env[ENV_REDIS] = services.redisUrl;
  process.env[ENV_RUN] = runId;
  (globalThis as { __marakStopServices?: () => Promise<void> }).__marakStopServices = services.stop;
}
