/**
 * Start-up shared by `main.ts` (API, or API and workers) and `worker.ts`: configuration,
 * local services when no URL is set (never in production), migrations under an advisory lock,
 * then the Nest application; graceful shutdown on SIGTERM/SIGINT.
 */
import type { INestApplicationContext } from '@nestjs/common';
import type { Logger } from 'pino';
import type { ResolvedConfig } from './app.module.js';
import { createHttpApp, createWorkerContext } from './bootstrap.js';
import { ConfigError, loadConfig, type Role } from './config/app-config.js';
import { LocalServiceError, resolveLocalServices } from './config/local-services.js';
import { runMigrations } from './platform/database/migrate.js';
import { createBaseLogger } from './platform/logging/logger.js';
import { applyHeapGrowth, heapGrowthFor } from './platform/runtime/heap-growth.js';

export async function launch(forcedRole?: Role): Promise<void> {
  let logger: Logger = createBaseLogger();
  let stopServices = async () => undefined as void;
  try {
    const config = loadConfig(forcedRole ? { ...process.env, MARAK_ROLE: forcedRole } : process.env);
    logger = createBaseLogger(config.logLevel);
    // In processes that serve HTTP, where GC pauses are response times (heap-growth.ts).
    const heapGrowingPercent = heapGrowthFor(config);
    applyHeapGrowth(heapGrowingPercent);
    logger.info({ heapGrowingPercent }, `V8 heap growing percent: ${heapGrowingPercent || 'left to V8'}`);
    if (config.developmentDefaults.length) {
      logger.warn(
        { variables: config.developmentDefaults },
        `USING PUBLIC DEVELOPMENT SECRETS for ${config.developmentDefaults.join(', ')}: fine for a laptop, never for real data`,
      );
    }
    if (config.testClock) logger.warn('MARAK_TEST_CLOCK=true: time can be moved through POST /api/v1/test/clock');

    let databaseUrl = config.databaseUrl;
    let redisUrl = config.redisUrl;
    if (config.env !== 'production') {
      const services = await resolveLocalServices({ databaseUrl, redisUrl, dataDir: config.dataDir }, logger);
      ({ databaseUrl, redisUrl } = services);
      stopServices = services.stop;
    }
    const resolved = { ...config, databaseUrl, redisUrl } as ResolvedConfig;
    await runMigrations(resolved.databaseUrl, logger);

    // Signals are handled from here on: one arriving while the application starts is acted on
    // as soon as it has started (its default action would kill the process mid-start).
    let app: INestApplicationContext | undefined;
    let signalled: string | undefined;
    let stopping = false;
    const shutdown = async (signal: string) => {
      if (!app) {
        signalled = signal;
        return;
      }
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down: no new requests, letting running jobs finish');
      const watchdog = setTimeout(() => {
        logger.error(`shutdown took longer than ${config.shutdownDrainMs} ms; exiting`);
        process.exit(1);
      }, config.shutdownDrainMs);
      watchdog.unref();
      try {
        await app.close(); // workers, HTTP server, queues, Redis, DataSource: Nest's shutdown hooks
        await stopServices();
        logger.info('stopped');
        process.exit(0);
      } catch (err) {
        logger.error({ err }, 'error during shutdown');
        process.exit(1);
      }
    };
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    process.once('SIGINT', () => void shutdown('SIGINT'));

    if (config.role === 'worker') {
      app = await createWorkerContext({ config: resolved });
      await app.init();
      logger.info('worker started');
    } else {
      const http = await createHttpApp({ config: resolved }, config.role);
      await http.listen(config.port);
      app = http;
      logger.info({ port: config.port, role: config.role }, `MARAK listening on http://localhost:${config.port}/api/v1 (docs at /api/docs)`);
    }
    if (!config.smtpUrl) logger.info(`SMTP_URL is not set: mail is written as .eml files under ${config.dataDir}/mail/`);

    if (signalled) await shutdown(signalled);
  } catch (err) {
    await stopServices().catch(() => undefined);
    if (err instanceof ConfigError || err instanceof LocalServiceError) {
      logger.fatal(err.message);
      process.stderr.write(`\n${err.message}\n\n`);
    } else {
      logger.fatal({ err }, 'start-up failed');
    }
    process.exit(1);
  }
}
