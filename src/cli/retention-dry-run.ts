import 'reflect-metadata';
import { findDueCases } from '../modules/retention/retention-due.js';
import { runCli, withCliDatabase } from './cli-database.js';

/**
 * `npm run retention:dry-run [-- --at 2031-01-01T00:00:00Z]`: lists the cases the daily
 * retention run would anonymise now (or at the given instant), one JSON line each (case id,
 * reference, group id, dates: nothing about a person), then a summary line. Changes nothing.
 */
await runCli('retention dry run', async () => {
  const atFlag = process.argv.indexOf('--at');
  const at = atFlag > 0 ? new Date(process.argv[atFlag + 1] ?? '') : new Date();
  if (Number.isNaN(at.getTime())) throw new Error('--at takes an ISO 8601 instant');
  return withCliDatabase('retention-dry-run', async (ds) => {
    const due = await findDueCases(ds, at, 1_000_000);
    for (const c of due) process.stdout.write(`${JSON.stringify(c)}\n`);
    process.stdout.write(`${JSON.stringify({ dryRun: true, at: at.toISOString(), due: due.length })}\n`);
    return 0;
  });
});
