import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

export const BENCH_ADMIN = { email: 'bench-admin@marak.test', password: 'Benchmark-admin-passphrase-5521' };
/** The password of every user a benchmark creates (invented people only). */
export const BENCH_PASSWORD = 'Kolme-sinistä-kissaa-juoksee';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface AppProcess {
  /** The first process's base URL (setup calls go there). */
  url: string;
  /** Every API process's base URL: the load is spread over them, as a balancer in front of replicas would. */
  urls: string[];
  queuePrefix: string;
  logFile: string;
  /** The API processes' pids (bench/lib/cpu.ts reads their CPU time). */
  pids: number[];
  stop(): Promise<void>;
}

/**
 * Warm-up connections: enough that every API process opens every connection of its pool (10 each)
 * before anything is measured; a new PostgreSQL backend's first statements are slow (catalog
 * caches, plans), and a pool opened during a measurement put them in its p99.
 */
export function warmUpConnections(): number {
  return 10 * apiProcesses() + 2;
}

/**
 * How many API processes a benchmark runs (BENCH_API_PROCESSES): one per core by default, as a
 * deployment on this machine would (`MARAK_ROLE=api` replicas; the login throttle and every other
 * shared state are in PostgreSQL and Redis). Each has its own pool of MARAK_DB_POOL_SIZE.
 */
export function apiProcesses(): number {
  const n = Number(process.env.BENCH_API_PROCESSES ?? availableParallelism());
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error('BENCH_API_PROCESSES must be an integer 1-64');
  return n;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The app's variables the bench itself sets for each child (the environment's are not passed for these). */
const BENCH_SET = new Set(['MARAK_ROLE', 'MARAK_QUEUE_PREFIX', 'MARAK_DATA_DIR', 'MARAK_MFA_REQUIRED', 'MARAK_BOOTSTRAP_ADMIN_EMAIL', 'MARAK_BOOTSTRAP_ADMIN_PASSWORD']);

/**
 * The application as child processes of its own (so the load generator never shares their event
 * loops): `processes` (default apiProcesses()) of a compiled entry (`dist/src/main.js` unless
 * told), each on its own port, against `databaseUrl` and the shared Redis under one prefix of
 * their own (removed at stop), MFA off, the bench admin bootstrapped, logs at the production
 * default level (info) to a file under the temporary directory. Started one after another (the
 * first migrates).
 */
export async function startApp(opts: { databaseUrl: string; entry?: string; role?: 'all' | 'api'; env?: Record<string, string>; processes?: number }): Promise<AppProcess> {
  const queuePrefix = `marak-bench-${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'marak-bench-'));
  const logFile = path.join(dataDir, 'app.log');
  // The children write their logs straight to the file: through a pipe, every log line of theirs
  // waited for this process's event loop (stdout to a pipe is synchronous in Node on Linux), and
  // with a hundred autocannon instances here that stalled the app for up to half a second.
  const logFd = openSync(logFile, 'a');
  const children: Array<{ child: ChildProcess; exited: Promise<number | null> }> = [];
  const urls: string[] = [];
  const stopAll = async () => {
    await Promise.all(
      children.map(async ({ child, exited }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(killer);
      }),
    );
  };
  try {
    for (let i = 0; i < (opts.processes ?? apiProcesses()); i++) {
      const port = await freePort();
      // e.g. BENCH_APP_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the app under load.
      const nodeArgs = (process.env.BENCH_APP_NODE_ARGS ?? '').split(' ').filter(Boolean);
      const child: ChildProcess = spawn(process.execPath, [...nodeArgs, path.resolve(opts.entry ?? 'dist/src/main.js')], {
        env: {
          PATH: process.env.PATH ?? '',
          DATABASE_URL: opts.databaseUrl,
          REDIS_URL,
          PORT: String(port),
          MARAK_ROLE: opts.role ?? 'api',
          MARAK_QUEUE_PREFIX: queuePrefix,
          MARAK_DATA_DIR: dataDir,
          MARAK_MFA_REQUIRED: 'false',
          MARAK_BOOTSTRAP_ADMIN_EMAIL: BENCH_ADMIN.email,
          MARAK_BOOTSTRAP_ADMIN_PASSWORD: BENCH_ADMIN.password,
          LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
          // The app's own settings from this environment (MARAK_DB_PREPARED_STATEMENTS=false, say, to
          // compare), except those the bench sets above.
          ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('MARAK_') && !BENCH_SET.has(k))),
          ...opts.env,
        },
        stdio: ['ignore', logFd, logFd],
      });
      children.push({ child, exited: new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code))) });
      const url = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 120_000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`the app exited (${child.exitCode}) while starting; see ${logFile}`);
        try {
          await fetch(`${url}/api/v1/health`);
          break;
        } catch {
          if (Date.now() > deadline) throw new Error(`the app did not start in 120 s; see ${logFile}`);
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      urls.push(url);
    }
  } catch (e) {
    await stopAll();
    throw e;
  } finally {
    closeSync(logFd); // each child has its own copy
  }
  return {
    url: urls[0]!,
    urls,
    queuePrefix,
    logFile,
    pids: children.map(({ child }) => child.pid!),
    async stop() {
      await stopAll();
      await clearPrefix(queuePrefix);
    },
  };
}

/** Deletes this run's keys (BullMQ's `<prefix>:…` and the login throttle's `<prefix>-login-…`). */
async function clearPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** A minimal JSON client of the API. */
export class Api {
  constructor(
    readonly base: string,
    readonly token?: string,
  ) {}

  as(token: string): Api {
    return new Api(this.base, token);
  }

  async call<T = any>(method: string, path: string, body?: unknown, expected: number[] = [200, 201]): Promise<T> {
    const res = await fetch(`${this.base}/api/v1${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!expected.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async login(email: string, password: string): Promise<Api> {
    const tokens = await this.call<{ accessToken: string }>('POST', '/auth/login', { email, password });
    return this.as(tokens.accessToken);
  }
}

let seq = 0;
const unique = () => `${Date.now().toString(36)}${(seq++).toString(36)}${randomBytes(2).toString('hex')}`;

export async function anAgency(admin: Api, kind: string): Promise<{ id: string; name: string }> {
  return admin.call('POST', '/agencies', { name: `Bench agency ${unique()}`, kind, email: `mailbox-${unique()}@agency.test` });
}

export async function aGroup(admin: Api, agencyIds: string[]): Promise<{ id: string }> {
  const group = await admin.call('POST', '/groups', { name: `Bench group ${unique()}`, area: 'Testialue' });
  for (const agencyId of agencyIds) await admin.call('PUT', `/groups/${group.id}/agencies/${agencyId}`);
  return group;
}

/** A user with roles, logged in: an Api acting as them, and their id. */
export async function aUser(admin: Api, agencyId: string, roles: { role: string; groupId?: string }[]): Promise<{ id: string; api: Api }> {
  const email = `user-${unique()}@agency.test`;
  const user = await admin.call('POST', '/users', { email, name: 'Testi Käyttäjä', agencyId, password: BENCH_PASSWORD, roles });
  return { id: user.id, api: await new Api(admin.base).login(email, BENCH_PASSWORD) };
}
