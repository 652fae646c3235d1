import 'reflect-metadata';
import { parseBlindIndexKey } from '../../libs/field-crypto/index.js';
import { headsFilePath } from '../modules/audit/audit-heads-file.js';
import { AuditChainVerifier } from '../modules/audit/audit-verifier.js';
import { runCli, withCliDatabase } from './cli-database.js';

/**
 * `npm run audit:verify`: walks the audit chain and the heads recorded outside the database,
 * prints the result as one JSON line, exits 0 when the chain holds, 1 when it is broken, 2
 * when it could not be checked (the error's class and message only: configuration and driver
 * errors never carry audit data).
 */
await runCli('audit verification', () =>
  withCliDatabase('audit-verify', async (ds, config) => {
    const verifier = new AuditChainVerifier((sql, params) => ds.query(sql, params), parseBlindIndexKey(config.auditKey), headsFilePath(config.dataDir));
    const result = await verifier.verify();
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return result.valid ? 0 : 1;
  }),
);
