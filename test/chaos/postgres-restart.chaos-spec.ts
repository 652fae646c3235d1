import { Queue } from 'bullmq';
import pg from 'pg';
import { NOTIFICATIONS_QUEUE, NOTIFICATIONS_RECONCILE_JOB } from '../../src/modules/notifications/notification-jobs.js';
import type { TestDatabase } from '../harness/database.js';
import { testEnvironment } from '../harness/environment.js';
import { runEntry, type RunningProcess } from '../harness/process.js';
import { SmtpCatcher } from '../harness/smtp-catcher.js';
import { startTestApp, testQueuePrefix, type TestApp } from '../harness/test-app.js';
import { aReferralWorld, ledger, outboxIdentities, OwnPostgres, StatusLog, submitReferral, until, type ReferralWorld } from './chaos-kit.js';

/**
 * Chaos 3: PostgreSQL restarts (a PostgreSQL of the test's own: never the shared :5432) while a
 * worker process is handing a mail to SMTP. During the outage the API answers 503 problem+json and
 * health says the database is down; afterwards the API (in-process) and the worker (a real
 * process) carry on without being restarted, and every mail goes out exactly once, the one SMTP
 * accepted during the outage included.
 */
describe('chaos: PostgreSQL restarted', () => {
  let own: OwnPostgres;
  let db: TestDatabase;
  let client: pg.Client;
  let smtp: SmtpCatcher;
  let t: TestApp;
  let worker: RunningProcess;
  let w: ReferralWorld;
  let notifications: Queue;
  const prefix = testQueuePrefix();
  const statuses = new StatusLog();

  beforeAll(async () => {
    ({ pg: own, db } = await OwnPostgres.create());
    smtp = await new SmtpCatcher().start();
    // The API in-process (its test clock left to follow real time, as the worker's clock does).
    t = await startTestApp({ smtp, db, role: 'api', queuePrefix: prefix });
    statuses.watch(t.app.getHttpServer());
    worker = runEntry('worker', {
      DATABASE_URL: db.url,
      REDIS_URL: testEnvironment().redisUrl,
      SMTP_URL: smtp.url,
      MARAK_QUEUE_PREFIX: prefix,
      MARAK_TEST_CLOCK: 'true',
      MARAK_DATA_DIR: `.data/test/chaos-${prefix}`,
      PUBLIC_URL: 'https://marak.test',
      LOG_LEVEL: 'info',
    });
    await worker.waitFor(/worker started/, 60_000);
    notifications = new Queue(NOTIFICATIONS_QUEUE, { connection: { url: testEnvironment().redisUrl }, prefix });
    w = await aReferralWorld(t);
  });

  afterAll(async () => {
    if (worker && worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await worker?.exited;
    await client?.end().catch(() => undefined);
    await notifications?.close();
    await t?.close();
    await smtp?.stop();
    await own?.destroy();
  });

  const sentCount = async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      return (await c.query(`SELECT count(*) FILTER (WHERE state = 'sent')::int AS sent, count(*)::int AS n FROM notifications`)).rows[0] as { sent: number; n: number };
    } finally {
      await c.end();
    }
  };

  it('answers 503 while PostgreSQL is down, recovers without restarts, and sends every mail once', async () => {
    // Before: a referral and its two mails, through everything working.
    expect((await submitReferral(t, w)).submit?.status).toBe(200);
    await smtp.waitForMails(2, 20_000);

    // A slow mail server: PostgreSQL is stopped the moment the third mail's data arrives, so SMTP
    // accepts it while the database is gone and the worker cannot record it as sent yet.
    smtp.acceptDelayMs = 1500;
    let stopping: Promise<void> | undefined;
    smtp.onReceived = (n) => {
      if (n === 3) stopping = own.stop();
    };
    const second = await submitReferral(t, w);
    expect(second.submit?.status).toBe(200);
    await until(() => stopping !== undefined, () => `the third mail to reach SMTP (received ${smtp.received})\n${worker.output().slice(-3000)}`, 20_000);
    statuses.enter('postgres down', { outage: true });
    await stopping;
    await smtp.settled();
    smtp.acceptDelayMs = 0;

    // During the outage: 503 problem+json, never 500.
    const as = t.as(w.coordinators[0].accessToken);
    const during = [
      await as.get('/api/v1/referrals'),
      await t.as(w.referrer.accessToken).post('/api/v1/referrals').send({}),
      await t.as(w.referrer.accessToken).get('/api/v1/me'),
      await t.http.post('/api/v1/auth/login').send({ email: w.referrer.email, password: 'Kolme-sinistä-kissaa-juoksee' }),
    ];
    for (const res of during) {
      expect({ status: res.status, type: res.headers['content-type'] }).toEqual({ status: 503, type: expect.stringMatching(/^application\/problem\+json/) });
      expect(res.body).toMatchObject({ type: 'https://marak.example/problems/service-unavailable', status: 503 });
      expect(res.headers['retry-after']).toBeDefined();
    }
    const health = await t.http.get('/api/v1/health');
    expect(health.status).toBe(503);
    expect(health.body.details.database.status).toBe('down');

    // PostgreSQL is back on the same port. Nobody restarts the API or the worker.
    statuses.enter('postgres back', { outage: true }); // 503 until the pools have reconnected
    await own.start();
    await until(async () => (await t.http.get('/api/v1/health')).status === 200, 'health to see the database again', 30_000);
    statuses.enter('recovered');
    expect(worker.child.exitCode).toBeNull();

    // New work goes through, and the reconciler (its scheduled job, added now rather than waited
    // for a minute) re-enqueues whatever a failed job left pending.
    const third = await submitReferral(t, w);
    expect(third.submit?.status).toBe(200);
    await notifications.add(NOTIFICATIONS_RECONCILE_JOB, {}, { removeOnComplete: true, removeOnFail: true });
    await until(async () => {
      const c = await sentCount();
      return c.n === 6 && c.sent === 6;
    }, async () => `all 6 mails sent (${JSON.stringify(await sentCount().catch(() => 'db?'))})`, 60_000);
    await smtp.waitForMails(6, 10_000);
    await smtp.settled();

    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const expected = await outboxIdentities(client);
    expect(expected).toHaveLength(6);
    for (const ref of [second.submit!.body.reference, third.submit!.body.reference]) {
      expect(smtp.mails.filter((m) => m.subject.includes(ref)).map((m) => m.to[0]).sort()).toEqual(w.coordinators.map((c) => c.email).sort());
    }
    const result = ledger(smtp.mails, expected);
    expect({ missing: result.missing, unexpected: result.unexpected, duplicated: result.duplicated }).toEqual({ missing: [], unexpected: [], duplicated: [] });
    expect({ unexplained: statuses.unexplained(), summary: statuses.summary() }).toEqual({ unexplained: [], summary: expect.any(Object) });
    expect(worker.output()).toMatch(/database unavailable: a send outcome waits to be recorded/);
  }, 150_000);
});
