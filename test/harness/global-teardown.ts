import pg from 'pg';
import { ENV_PG_SERVER, ENV_RUN, ENV_TEMPLATE } from './environment.js';

/** Drops the template and any database a crashed test file left behind; stops what setup started. */
export default async function globalTeardown(): Promise<void> {
  const pgServer = process.env[ENV_PG_SERVER];
  const runId = process.env[ENV_RUN];
  if (pgServer && runId) {
    const admin = new pg.Client({ connectionString: `${pgServer}/postgres` });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2`,
        [process.env[ENV_TEMPLATE], `marak_t_${runId}_%`],
      );
      for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }
  await (globalThis as { __marakStopServices?: () => Promise<void> }).__marakStopServices?.();
}
