import { MIGRATIONS } from '../../src/platform/database/migrations.js';
import { freePort } from '../../src/config/local-services.js';
import { createTestDatabase, type TestDatabase } from '../harness/database.js';
import { testEnvironment } from '../harness/environment.js';
import { runEntry } from '../harness/process.js';
import { SmtpCatcher } from '../harness/smtp-catcher.js';
import { clearQueuePrefix, testQueuePrefix } from '../harness/test-app.js';
import pg from 'pg';

/** The compiled service started as a user starts it, and stopped as an orchestrator stops it. */
describe('the service as a process', () => {
  let smtp: SmtpCatcher;
  const prefix = testQueuePrefix();
  const dbs: TestDatabase[] = [];

  beforeAll(async () => {
    smtp = await new SmtpCatcher().start();
  });
  afterAll(async () => {
    await smtp?.stop();
    await clearQueuePrefix(prefix);
    for (const db of dbs) await db.drop();
  });

  async function env(extra: Record<string, string> = {}): Promise<Record<string, string>> {
    const db = await createTestDatabase();
    dbs.push(db);
    return {
      DATABASE_URL: db.url,
      REDIS_URL: testEnvironment().redisUrl,
      SMTP_URL: smtp.url,
      PORT: String(await freePort()),
      MARAK_QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'info',
      ...extra,
    };
  }

  it('serves the API and the workers in one process, logs JSON, and stops cleanly on SIGTERM', async () => {
    const e = await env();
    const p = runEntry('main', e);
    await p.waitFor(/MARAK listening/);
    const health = await fetch(`http://127.0.0.1:${e.PORT}/api/v1/health`);
    expect(health.status).toBe(200);
    const res = await fetch(`http://127.0.0.1:${e.PORT}/api/v1/nowhere`, { headers: { 'X-Request-Id': 'probe-1' } });
    expect(res.status).toBe(404);

    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    const lines = p.output().trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down: no new requests, letting running jobs finish', 'stopped']));
    const requestLog = lines.find((l) => l.requestId === 'probe-1');
    expect(requestLog).toMatchObject({ level: 'warn', res: { statusCode: 404 } });
    await expect(fetch(`http://127.0.0.1:${e.PORT}/api/v1/health`)).rejects.toThrow();
  }, 60_000);

  it('migrates an empty database at start, once even when two replicas start together', async () => {
    const db = await createTestDatabase();
    dbs.push(db);
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    // Every migration's tables go, not only the first one's.
    await admin.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    const e1 = { ...(await env()), DATABASE_URL: db.url };
    const e2 = { ...(await env()), DATABASE_URL: db.url };
    const a = runEntry('main', { ...e1, MARAK_ROLE: 'api' });
    const b = runEntry('main', { ...e2, MARAK_ROLE: 'api' });
    await Promise.all([a.waitFor(/MARAK listening/, 50_000), b.waitFor(/MARAK listening/, 50_000)]);
    const { rows } = await admin.query('SELECT name FROM typeorm_migrations');
    await admin.end();
    expect(rows).toHaveLength(MIGRATIONS.length);
    expect(`${a.output()}${b.output()}`.match(/applied \d+ migration/g)).toHaveLength(1);
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
  }, 60_000);

  it('runs the worker role alone without an HTTP port', async () => {
    const e = await env();
    const p = runEntry('worker', e);
    await p.waitFor(/worker started/);
    await expect(fetch(`http://127.0.0.1:${e.PORT}/api/v1/health`)).rejects.toThrow();
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  }, 60_000);

  it('refuses to start in production without explicit URLs and secrets, naming each', async () => {
    const p = runEntry('main', { NODE_ENV: 'production', PORT: String(await freePort()) });
    expect(await p.exited).toBe(1);
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'SMTP_URL', 'MARAK_DATA_KEYS', 'JWT_SECRET']) expect(p.output()).toContain(`${name} is required in production`);
  }, 30_000);

  it('refuses the test clock in production', async () => {
    const p = runEntry('main', { NODE_ENV: 'production', MARAK_TEST_CLOCK: 'true' });
    expect(await p.exited).toBe(1);
    expect(p.output()).toContain('MARAK_TEST_CLOCK=true is refused in production');
  }, 30_000);
});
