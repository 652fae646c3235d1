import { DataSource } from 'typeorm';
import { loadConfig, type AppConfig } from '../config/app-config.js';
import { resolveLocalServices } from '../config/local-services.js';
import { dataSourceOptions } from '../platform/database/data-source-options.js';
import { createBaseLogger } from '../platform/logging/logger.js';

/**
 * An operator command's database: DATABASE_URL, or outside production the local PostgreSQL
 * `npm start` would use. One connection, named after the command; closed afterwards.
 */
export async function withCliDatabase<T>(name: string, work: (ds: DataSource, config: AppConfig) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const logger = createBaseLogger(config.logLevel);
  const services =
    config.env === 'production'
      ? undefined
      : await resolveLocalServices({ databaseUrl: config.databaseUrl, redisUrl: config.redisUrl ?? 'redis://unused', dataDir: config.dataDir }, logger);
  const ds = new DataSource(dataSourceOptions(services?.databaseUrl ?? config.databaseUrl!, { extra: { max: 1, application_name: `marak-${name}` } }));
  try {
    await ds.initialize();
    return await work(ds, config);
  } finally {
    await ds.destroy().catch(() => undefined);
    await services?.stop();
  }
}

/** Runs a command's main and exits with its code; 2 with the error's class and message (never data) when it could not run. */
export async function runCli(what: string, main: () => Promise<number>): Promise<never> {
  let code = 2;
  try {
    code = await main();
  } catch (err) {
    process.stderr.write(`${what} could not run: ${err instanceof Error ? `${err.name}: ${err.message}` : 'unknown error'}\n`);
  }
  process.exit(code);
}
