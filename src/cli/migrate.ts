import 'reflect-metadata';
import { loadConfig } from '../config/app-config.js';
import { resolveLocalServices } from '../config/local-services.js';
import { runMigrations } from '../platform/database/migrate.js';
import { createBaseLogger } from '../platform/logging/logger.js';

// `npm run migration:run`: applies pending migrations and exits.
const config = loadConfig();
const logger = createBaseLogger(config.logLevel);
const services = config.env === 'production' ? undefined : await resolveLocalServices({ databaseUrl: config.databaseUrl, redisUrl: config.redisUrl ?? 'redis://unused', dataDir: config.dataDir }, logger);
const applied = await runMigrations(services?.databaseUrl ?? config.databaseUrl!, logger);
logger.info(applied.length ? `applied: ${applied.join(', ')}` : 'no pending migrations');
await services?.stop();
