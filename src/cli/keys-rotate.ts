import 'reflect-metadata';
import { parseDataKeys } from '../../libs/field-crypto/index.js';
import { rotateKeys } from '../platform/crypto/key-rotation.js';
import { runCli, withCliDatabase } from './cli-database.js';

/**
 * `npm run keys:rotate [-- --batch 500]`: re-encrypts every personal field under the newest key
 * of MARAK_DATA_KEYS (add `v<N+1>:<key>` at the end first; keep the old ones until this reports
 * nothing remaining). Prints one JSON line of counts per table and a summary; exits 0 when
 * nothing older remains, 1 otherwise (run it again: it resumes where it is needed).
 */
await runCli('key rotation', async () => {
  const flag = process.argv.indexOf('--batch');
  const batchSize = flag > 0 ? Number(process.argv[flag + 1]) : 500;
  return withCliDatabase('keys-rotate', async (ds, config) => {
    const report = await rotateKeys(ds, parseDataKeys(config.dataKeys), { batchSize });
    for (const t of report.tables) process.stdout.write(`${JSON.stringify(t)}\n`);
    const remaining = report.tables.reduce((n, t) => n + t.remaining, 0);
    const reencryptedFields = report.tables.reduce((n, t) => n + t.reencryptedFields, 0);
    process.stdout.write(`${JSON.stringify({ currentKeyVersion: report.currentKeyVersion, reencryptedFields, remaining })}\n`);
    return remaining === 0 ? 0 : 1;
  });
});
