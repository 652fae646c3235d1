import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { helsinkiDateTime } from '../libs/business-calendar/index.js';
import { dataSourceOptions } from '../src/platform/database/data-source-options.js';
import { loadRawStatistics } from '../src/modules/statistics/statistics-query.js';
import { publishGroup } from '../src/modules/statistics/statistics-report.js';
import { historyDatabase } from './lib/databases.js';

/**
 * `npm run bench`: one line — a year of one group's statistics (the queries and the
 * suppression the endpoint runs, without HTTP and the audit row), its median time over 5 runs
 * after a warm-up, and the ratio against a baseline measured in the same process: a plain
 * count(*) of the same group's referrals of the same year. Against DATABASE_URL when set, else the
 * shared `marak_bench_history` (bench/lib/databases.ts: created and seeded with a million referrals
 * when missing, reused when present). Not a test; never part of `npm test`.
 */
const url = await historyDatabase();
// The app's pool options (its prepared statements among them), with a pool of 2.
const ds = new DataSource(dataSourceOptions(url, { extra: { max: 2, application_name: 'marak-bench' } }));
await ds.initialize();
try {
  const [{ total }] = await ds.query(`SELECT count(*)::int AS total FROM referrals`);
  const [{ group_id: groupId }] = await ds.query(`SELECT id AS group_id FROM groups ORDER BY name, id LIMIT 1`);
  const year = new Date().getUTCFullYear() - 1;
  const from = helsinkiDateTime(`${year}-01-01`, '00:00');
  const to = helsinkiDateTime(`${year + 1}-01-01`, '00:00');
  const median = async (run: () => Promise<unknown>) => {
    await run();
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await run();
      times.push(performance.now() - started);
    }
    return times.sort((a, b) => a - b)[2]!;
  };
  let referrals: unknown = 0;
  const baseline = await median(async () => {
    [{ n: referrals }] = await ds.query(`SELECT count(*)::int AS n FROM referrals WHERE group_id = $1 AND submitted_at >= $2 AND submitted_at < $3`, [groupId, from, to]);
  });
  const statistics = await median(async () => publishGroup((await loadRawStatistics(ds, [groupId], from, to)).byGroup.get(groupId)!));
  process.stdout.write(
    `statistics of one group for ${year} (${referrals} of ${total} referrals): ${statistics.toFixed(1)} ms; baseline count(*) ${baseline.toFixed(1)} ms; ratio ${(statistics / baseline).toFixed(1)}x\n`,
  );
} finally {
  await ds.destroy();
}
