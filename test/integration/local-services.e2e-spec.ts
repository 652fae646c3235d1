import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import {
  LocalServiceError,
  REDIS_MISSING_HELP,
  findOnPath,
  freePort,
  redisAnswers,
  resolveLocalServices,
  startEmbeddedPostgres,
  startRedisServer,
} from '../../src/config/local-services.js';

const silent = pino({ level: 'silent' });

describe('finding or starting local services (npm start without URLs)', () => {
  it('uses given URLs as they are and starts nothing', async () => {
    const s = await resolveLocalServices({ databaseUrl: 'postgres://u@h/db', redisUrl: 'redis://h:1', dataDir: '/nonexistent' }, silent);
    expect(s).toMatchObject({ databaseUrl: 'postgres://u@h/db', redisUrl: 'redis://h:1' });
    await s.stop();
  });

  it('starts a redis-server from PATH on a free port when nothing answers, and stops it', async () => {
    const binary = findOnPath('redis-server');
    expect(binary).toBeDefined();
    const started = await startRedisServer(binary!, silent);
    expect(await redisAnswers(started.url)).toBe(true);
    await started.stop();
    expect(await redisAnswers(started.url)).toBe(false);
  });

  it('falls back to redis-server when the default port is silent', async () => {
    const silentPort = await freePort();
    const s = await resolveLocalServices(
      { databaseUrl: 'postgres://u@h/db', dataDir: '/nonexistent', localRedisUrl: `redis://127.0.0.1:${silentPort}` },
      silent,
    );
    try {
      expect(s.redisUrl).not.toBe(`redis://127.0.0.1:${silentPort}`);
      expect(await redisAnswers(s.redisUrl)).toBe(true);
    } finally {
      await s.stop();
    }
  });

  it('exits with one paragraph on how to get Redis when there is none', async () => {
    const silentPort = await freePort();
    const attempt = resolveLocalServices(
      { databaseUrl: 'postgres://u@h/db', dataDir: '/nonexistent', localRedisUrl: `redis://127.0.0.1:${silentPort}`, searchPath: '/nonexistent' },
      silent,
    );
    await expect(attempt).rejects.toThrow(LocalServiceError);
    await expect(attempt).rejects.toThrow(REDIS_MISSING_HELP);
    expect(REDIS_MISSING_HELP).toMatch(/docker compose up -d redis/);
    expect(REDIS_MISSING_HELP).toMatch(/apt-get install redis-server/);
    expect(REDIS_MISSING_HELP).not.toContain('\n');
  });

  it('starts an embedded PostgreSQL with its data in the data directory, and again from the same data', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'marak-embedded-'));
    await chmod(dataDir, 0o755); // run as root, PostgreSQL runs as `postgres` and must reach it
    try {
      let pgServer = await startEmbeddedPostgres(dataDir, silent);
      let client = new pg.Client({ connectionString: `${pgServer.serverUrl}/postgres` });
      await client.connect();
      await client.query('CREATE TABLE kept (n int)');
      await client.query('INSERT INTO kept VALUES (42)');
      await client.end();
      await pgServer.stop();

      pgServer = await startEmbeddedPostgres(dataDir, silent);
      client = new pg.Client({ connectionString: `${pgServer.serverUrl}/postgres` });
      await client.connect();
      const { rows } = await client.query('SELECT n FROM kept');
      await client.end();
      await pgServer.stop();
      expect(rows).toEqual([{ n: 42 }]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
