import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { parseBlindIndexKey } from '../../libs/field-crypto/index.js';
import { loadConfig } from '../config/app-config.js';
import { resolveLocalServices } from '../config/local-services.js';
import { dataSourceOptions } from '../platform/database/data-source-options.js';
import { createBaseLogger } from '../platform/logging/logger.js';
import { headsFilePath } from '../modules/audit/audit-heads-file.js';
import { AuditChainVerifier } from '../modules/audit/audit-verifier.js';

/**
 * `npm run audit:verify`: walks the audit chain and the heads recorded outside the database,
 * prints the result as one JSON line, exits 0 when the chain holds, 1 when it is broken, 2
 * when it could not be checked.
 */
async function main(): Promise<number> {
  const config = loadConfig();
  const logger = createBaseLogger(config.logLevel);
  const services =
    config.env === 'production'
      ? undefined
      : await resolveLocalServices({ databaseUrl: config.databaseUrl, redisUrl: config.redisUrl ?? 'redis://unused', dataDir: config.dataDir }, logger);
  const ds = new DataSource(dataSourceOptions(services?.databaseUrl ?? config.databaseUrl!, { extra: { max: 1, application_name: 'marak-audit-verify' } } as never));
  try {
    await ds.initialize();
    const verifier = new AuditChainVerifier((sql, params) => ds.query(sql, params), parseBlindIndexKey(config.auditKey), headsFilePath(config.dataDir));
    const result = await verifier.verify();
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return result.valid ? 0 : 1;
  } finally {
    await ds.destroy().catch(() => undefined);
    await services?.stop();
  }
}

let code = 2;
try {
  code = await main();
} catch (err) {
  // The error's class and message only: configuration and driver errors never carry audit data.
  process.stderr.write(`audit verification could not run: ${err instanceof Error ? `${err.name}: ${err.message}` : 'unknown error'}\n`);
}
process.exit(code);
