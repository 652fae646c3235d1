import { spawnSync } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { runMigrations } from '../../src/platform/database/migrate.js';

/**
 * The benchmarks' databases on the local PostgreSQL (BENCH_PG_URL, default the `postgres` user on
 * 127.0.0.1:5432). They only ever create, drop or fill databases named `marak_bench_*`.
 */
const SERVER = process.env.BENCH_PG_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';

export const HISTORY_DATABASE = 'marak_bench_history';
export const HISTORY_REFERRALS = 1_000_000;

export function databaseUrl(name: string): string {
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return url.toString();
}

function assertBenchName(name: string): void {
  if (!/^marak_bench_[a-z0-9_]+$/.test(name)) throw new Error(`benchmarks only touch databases named marak_bench_*: ${name}`);
}

async function onServer<T>(work: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: SERVER });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

/** Drops (when present) and creates an empty database; returns its URL. The app migrates it when it starts. */
export async function freshDatabase(name: string): Promise<string> {
  assertBenchName(name);
  await onServer(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
  });
  return databaseUrl(name);
}

async function databaseExists(name: string): Promise<boolean> {
  return onServer(async (c) => (await c.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name])).rowCount === 1);
}

/**
 * The shared history database of the statistics and inbox benchmarks: DATABASE_URL when set
 * (used as it is), else `marak_bench_history` on the local server, created, migrated and seeded
 * with `seed:history --referrals 1000000` (about 5 minutes) when missing or left half-seeded,
 * reused when present.
 */
export async function historyDatabase(): Promise<string> {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const name = HISTORY_DATABASE;
  const url = databaseUrl(name);
  if (await databaseExists(name)) {
    const complete = await withClient(url, async (c) => {
      const tables = await c.query(`SELECT 1 FROM pg_tables WHERE tablename = 'actions'`);
      if (!tables.rowCount) return false;
      // The actions are the seed's last table: present means the seed ran to its end.
      return (await c.query(`SELECT EXISTS (SELECT 1 FROM actions) AS any`)).rows[0].any as boolean;
    });
    if (complete) {
      await runMigrations(url); // a migration added since the seed (an index) is applied once
      return url;
    }
    process.stdout.write(`# ${name} is half-seeded: seeding it again\n`);
  }
  await freshDatabase(name);
  process.stdout.write(`# seeding ${name} with ${HISTORY_REFERRALS} referrals (about 5 minutes, once)\n`);
  const seed = spawnSync(process.execPath, [path.resolve('dist/src/cli/seed-history.js'), '--referrals', String(HISTORY_REFERRALS)], {
    env: { ...process.env, DATABASE_URL: url },
    stdio: 'inherit',
  });
  if (seed.status !== 0) throw new Error(`seed:history failed (exit ${seed.status ?? seed.signal})`);
  return url;
}

export async function withClient<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url, application_name: 'marak-bench' });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}
