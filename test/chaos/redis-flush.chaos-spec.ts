import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { timerWakeJobId } from '../../src/modules/timers/timer-jobs.js';
import { SmtpCatcher } from '../harness/smtp-catcher.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';
import { aReferralWorld, ledger, outboxIdentities, OwnRedis, StatusLog, submitReferral, until, type ReferralWorld } from './chaos-kit.js';

/**
 * Chaos 2: Redis dies with wake-ups and mail retries in it, and comes back empty (no persistence).
 * PostgreSQL holds the truth: the reconcilers put the wake-ups and send jobs back, every mail
 * goes out exactly once and every timer fires. The app runs in-process against a redis-server
 * of the test's own; time is moved by the test clock (POST /api/v1/test/clock runs the reconcilers).
 */
describe('chaos: Redis restarted and flushed', () => {
  let redis: OwnRedis;
  let smtp: SmtpCatcher;
  let t: TestApp;
  let ds: DataSource;
  let w: ReferralWorld;
  let timers: Queue;
  let notifications: Queue;
  const statuses = new StatusLog();

  beforeAll(async () => {
    redis = await OwnRedis.start();
    smtp = await new SmtpCatcher().start();
    t = await startTestApp({ smtp, env: { REDIS_URL: redis.url } });
    statuses.watch(t.app.getHttpServer());
    ds = t.app.get(DataSource);
    const connection = { url: redis.url, maxRetriesPerRequest: null };
    timers = new Queue('timers', { connection, prefix: t.config.queuePrefix });
    notifications = new Queue('notifications', { connection, prefix: t.config.queuePrefix });
    timers.on('error', () => undefined); // the test kills Redis under them
    notifications.on('error', () => undefined);
    t.clock.set(new Date('2027-03-01T08:00:00.000Z')); // Monday 10:00 in Helsinki
    await t.renewAdmin();
    w = await aReferralWorld(t);
  });

  afterAll(async () => {
    await timers?.close();
    await notifications?.close();
    await t?.close();
    await smtp?.stop();
    await redis?.kill();
  });

  const moveClock = async (body: { now?: string; advance?: string }) => {
    const res = await t.admin.post('/api/v1/test/clock').send(body);
    expect(res.status).toBe(200);
  };
  const pendingTimers = (): Promise<Array<{ id: string; next_run_at: Date }>> => ds.query(`SELECT id, next_run_at FROM timers WHERE state = 'pending' ORDER BY id`);
  const pendingMails = (): Promise<Array<{ id: string; attempts: number }>> => ds.query(`SELECT id, attempts FROM notifications WHERE state = 'pending' ORDER BY id`);

  it('rebuilds the wake-ups and send jobs Redis lost, and sends every mail once', async () => {
    // Before: three referrals; their mails meet a refusing mail server and wait in Redis for a
    // retry, their triage timers (due tomorrow 16:00 Helsinki) wait in Redis as delayed wake-ups.
    smtp.refuse();
    const references: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { submit } = await submitReferral(t, w);
      expect(submit?.status).toBe(200);
      references.push(submit!.body.reference);
    }
    await until(async () => (await pendingMails()).filter((m) => m.attempts === 1).length === 6, 'the first attempts to fail');
    expect((await timers.getJobCounts('delayed')).delayed).toBeGreaterThanOrEqual(3);
    expect((await notifications.getJobCounts('delayed')).delayed).toBe(6);

    // Redis dies. The API keeps answering what does not need Redis; what does answers 503.
    statuses.enter('redis down', { outage: true });
    await redis.kill();
    for (let i = 0; i < 2; i++) {
      const { draft, submit } = await submitReferral(t, w);
      expect(draft.status).toBe(201);
      // The referral and its outbox rows commit; the send job's enqueue fails after the commit and is left to the reconciler.
      expect(submit?.status).toBe(200);
      references.push(submit!.body.reference);
    }
    await t.as(w.coordinators[0].accessToken).get('/api/v1/referrals').expect(200);
    const health = await t.http.get('/api/v1/health');
    expect(health.status).toBe(503);
    expect(health.body.details.redis.status).toBe('down');
    expect(health.body.details.database.status).toBe('up');
    const login = await t.http.post('/api/v1/auth/login').send({ email: w.referrer.email, password: 'Kolme-sinistä-kissaa-juoksee' });
    expect([200, 503]).toContain(login.status); // the login throttle lives in Redis
    if (login.status === 503) expect(login.headers['content-type']).toMatch(/application\/problem\+json/);
    await moveClock({ advance: 'PT1S' }); // the reconcilers run and cannot reach Redis: still 200
    expect(await pendingMails()).toHaveLength(10);

    // Redis is back, empty. The mail server accepts again.
    statuses.enter('redis back', { outage: true }); // 503 while the app's connections find Redis again
    await redis.start();
    smtp.accept();
    await until(async () => (await t.http.get('/api/v1/health')).status === 200, 'health to see Redis again');
    statuses.enter('recovered');
    expect((await timers.getJobCounts('delayed', 'wait')).delayed).toBe(0);
    expect(await notifications.getJobCounts('delayed', 'wait')).toEqual({ delayed: 0, wait: 0 });

    // The reconcilers (run by the clock move) put back a wake-up per pending timer and send every due mail.
    await moveClock({ advance: 'PT1M' });
    for (const tm of await pendingTimers()) {
      const job = await timers.getJob(timerWakeJobId(tm.id, new Date(tm.next_run_at)));
      expect(job && (await job.isDelayed())).toBe(true);
    }
    expect(await pendingTimers()).toHaveLength(5);
    await until(async () => (await pendingMails()).length === 0, 'every coordinator mail to be sent');
    await smtp.waitForMails(10);

    // Tomorrow 16:00 Helsinki: the triage deadlines pass and each chair mail goes out once.
    await t.renewAdmin();
    await moveClock({ now: '2027-03-02T14:01:00.000Z' });
    await until(async () => (await pendingTimers()).length === 0 && (await pendingMails()).length === 0, 'timers fired and their mails sent');
    await smtp.waitForMails(15);
    await t.renewAdmin();
    await moveClock({ advance: 'PT3H' }); // later reconciler runs send nothing again
    await smtp.settled();

    const expected = await outboxIdentities(ds);
    expect(expected).toHaveLength(5 * 2 + 5);
    for (const ref of references) {
      const to = smtp.mails.filter((m) => m.subject.includes(ref)).map((m) => m.to[0]).sort();
      expect(to).toEqual([...w.coordinators.map((c) => c.email), w.chair.email].sort());
    }
    const result = ledger(smtp.mails, expected);
    expect({ missing: result.missing, unexpected: result.unexpected, duplicated: result.duplicated }).toEqual({ missing: [], unexpected: [], duplicated: [] });
    expect((await ds.query(`SELECT state, count(*)::int AS n FROM timers GROUP BY state`))).toEqual([{ state: 'fired', n: 5 }]);
    expect({ unexplained: statuses.unexplained(), summary: statuses.summary() }).toEqual({ unexplained: [], summary: expect.any(Object) });
  }, 120_000);
});
