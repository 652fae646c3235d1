import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { testEnvironment } from './environment.js';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A database of this test file's own, cloned from the migrated template in milliseconds. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const { pgServer, template, runId } = testEnvironment();
  const name = `marak_t_${runId}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: `${pgServer}/postgres` });
  await admin.connect();
  try {
    // CREATE DATABASE … TEMPLATE needs the template free of sessions; clones made at the same
    // moment by parallel files are serialised by PostgreSQL, and retried when it says "in use".
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        break;
      } catch (e) {
        if ((e as { code?: string }).code !== '55006' || attempt > 50) throw e;
        await new Promise((r) => setImmediate(r));
      }
    }
  } finally {
    await admin.end();
  }
  return {
    url: `${pgServer}/${name}`,
    name,
    drop: async () => {
      const c = new pg.Client({ connectionString: `${pgServer}/postgres` });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
