import { randomBytes } from 'node:crypto';
import type { INestApplication, Type } from '@nestjs/common';
import { Redis } from 'ioredis';
import request from 'supertest';
import type { ResolvedConfig } from '../../src/app.module.js';
import { createHttpApp } from '../../src/bootstrap.js';
import { loadConfig, type Role } from '../../src/config/app-config.js';
import { TestClock } from '../../src/platform/clock/clock.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { testEnvironment } from './environment.js';
import type { SmtpCatcher } from './smtp-catcher.js';

export const TEST_ADMIN = { email: 'admin@marak.test', password: 'Testing-admin-passphrase-9173' };

export interface TestApp {
  app: INestApplication;
  /** Requests without a token. */
  http: ReturnType<typeof request>;
  /** Requests as the bootstrap admin (call `renewAdmin()` after moving the clock past 15 minutes). */
  admin: ReturnType<typeof request.agent>;
  renewAdmin(): Promise<void>;
  /** Requests with the given access token. */
  as(accessToken: string): ReturnType<typeof request.agent>;
  /** Password login (MFA off in tests unless a test turns it on): the tokens. */
  login(email: string, password: string): Promise<{ accessToken: string; refreshToken: string }>;
  clock: TestClock;
  config: ResolvedConfig;
  db: TestDatabase;
  close(): Promise<void>;
}

export interface TestAppOptions {
  role?: Exclude<Role, 'worker'>;
  smtp?: SmtpCatcher;
  env?: Record<string, string>;
  /** Extra modules, for tests of platform pieces that need a route of their own. */
  imports?: Type<unknown>[];
  /** Share a database with another app (two replicas); default: a fresh clone. */
  db?: TestDatabase;
  queuePrefix?: string;
}

/** A unique BullMQ prefix per app, so parallel test files never see each other's jobs. */
export function testQueuePrefix(): string {
  return `marak-test-${testEnvironment().runId}-${randomBytes(4).toString('hex')}`;
}

export function testConfig(db: TestDatabase, opts: TestAppOptions = {}): ResolvedConfig {
  const { redisUrl } = testEnvironment();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    REDIS_URL: redisUrl,
    ...(opts.smtp ? { SMTP_URL: opts.smtp.url } : {}),
    MARAK_TEST_CLOCK: 'true',
    MARAK_MFA_REQUIRED: 'false',
    MARAK_BOOTSTRAP_ADMIN_EMAIL: TEST_ADMIN.email,
    MARAK_BOOTSTRAP_ADMIN_PASSWORD: TEST_ADMIN.password,
    MARAK_QUEUE_PREFIX: opts.queuePrefix ?? testQueuePrefix(),
    MARAK_DATA_DIR: `.data/test/${db.name}`,
    PUBLIC_URL: 'https://marak.test',
    MAIL_FROM: 'MARAK <noreply@marak.test>',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    ...opts.env,
  });
  return config as ResolvedConfig;
}

/** Deletes every Redis key under a queue prefix (the test's own). */
export async function clearQueuePrefix(prefix: string): Promise<void> {
  const redis = new Redis(testEnvironment().redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** The whole application (API and workers) on this file's own database and queue prefix. */
export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const db = opts.db ?? (await createTestDatabase());
  const config = testConfig(db, opts);
  const clock = new TestClock();
  const app = await createHttpApp({ config, clock, imports: opts.imports }, opts.role ?? 'all');
  await app.init();
  const server = app.getHttpServer();
  const as = (token: string) => request.agent(server).set('Authorization', `Bearer ${token}`);
  const login = async (email: string, password: string) => {
    const res = await request(server).post('/api/v1/auth/login').send({ email, password });
    if (res.status !== 200 || !res.body.accessToken) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { accessToken: string; refreshToken: string };
  };
  const t: TestApp = {
    app,
    http: request(server),
    admin: as((await login(TEST_ADMIN.email, TEST_ADMIN.password)).accessToken),
    renewAdmin: async () => {
      t.admin = as((await login(TEST_ADMIN.email, TEST_ADMIN.password)).accessToken);
    },
    as,
    login,
    clock,
    config,
    db,
    close: async () => {
      await app.close();
      await clearQueuePrefix(config.queuePrefix);
      if (!opts.db) await db.drop();
    },
  };
  return t;
}
