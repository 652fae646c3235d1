import { DataSource } from 'typeorm';
import { NOTIFICATION_RETRY } from '../../src/modules/notifications/notification-jobs.js';
import { backoffBounds } from '../../src/platform/queues/backoff.js';
import { SmtpCatcher } from '../harness/smtp-catcher.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';
import { aReferralWorld, ledger, outboxIdentities, StatusLog, submitReferral, until, type ReferralWorld } from './chaos-kit.js';

/**
 * Chaos 4: the mail server is down (nothing listens on its port). Mails are kept and retried with
 * backoff, the outage is visible (each message's status, attempts and last error; health; metrics),
 * nothing is given up on within the retry window, and when the server is back on the same port
 * every mail arrives exactly once. App in-process; time moved by the test clock.
 */
describe('chaos: SMTP down', () => {
  const REFERRALS = 4;
  let smtp: SmtpCatcher;
  let t: TestApp;
  let ds: DataSource;
  let w: ReferralWorld;
  const statuses = new StatusLog();

  beforeAll(async () => {
    smtp = await new SmtpCatcher({ closeTimeoutMs: 50 }).start();
    t = await startTestApp({ smtp });
    statuses.watch(t.app.getHttpServer());
    ds = t.app.get(DataSource);
    t.clock.set(new Date('2027-03-01T08:00:00.000Z')); // Monday 10:00 in Helsinki
    await t.renewAdmin();
    w = await aReferralWorld(t);
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
  });

  const advance = async (duration: string) => {
    await t.renewAdmin();
    const res = await t.admin.post('/api/v1/test/clock').send({ advance: duration });
    expect(res.status).toBe(200);
  };
  const rows = (): Promise<Array<{ id: string; state: string; attempts: number; last_error: string | null; next_attempt_at: Date; updated_at: Date }>> =>
    ds.query(`SELECT id, state, attempts, last_error, next_attempt_at, updated_at FROM notifications ORDER BY created_at, id`);

  it('retries with backoff while SMTP is down, shows it, drops nothing, and delivers each mail once when it is back', async () => {
    const port = smtp.port;
    statuses.enter('smtp down', { outage: true });
    await smtp.stop();

    // Work while the mail server is down: referrals submitted through the API, two coordinators each.
    const references: string[] = [];
    for (let i = 0; i < REFERRALS; i++) {
      const { draft, submit } = await submitReferral(t, w);
      expect(draft.status).toBe(201);
      expect(submit?.status).toBe(200);
      references.push(submit!.body.reference);
    }
    const expectedCount = REFERRALS * w.coordinators.length;

    // The first attempt of each fails (connection refused) and is kept for a retry.
    await until(async () => (await rows()).filter((r) => r.attempts === 1 && r.last_error).length === expectedCount, 'every first attempt to fail');
    for (const r of await rows()) {
      expect(r.state).toBe('pending');
      expect(r.last_error).toMatch(/ECONNREFUSED|ECONNECTION|ESOCKET|connect/i);
      expect(r.last_error).not.toMatch(/@/); // no address in the stored error
      const [lo, hi] = backoffBounds(1, NOTIFICATION_RETRY);
      const wait = new Date(r.next_attempt_at).getTime() - new Date(r.updated_at).getTime();
      expect(wait).toBeGreaterThanOrEqual(lo);
      expect(wait).toBeLessThanOrEqual(hi);
    }

    // Shown: the outbox list, health and metrics.
    const listed = await t.admin.get('/api/v1/notifications?status=pending&limit=100').expect(200);
    expect(listed.body.items).toHaveLength(expectedCount);
    for (const item of listed.body.items) expect(item).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.any(String), sentAt: null, failedAt: null });
    const health = await t.http.get('/api/v1/health');
    expect(health.status).toBe(503);
    expect(health.body.details.smtp.status).toBe('down');
    expect(health.body.details.database.status).toBe('up');
    const metrics = (await t.http.get('/api/v1/metrics').expect(200)).text;
    expect(metrics).toContain(`marak_notifications{status="pending"} ${expectedCount}`);
    expect(metrics).toMatch(new RegExp(`marak_notification_attempts_total\\{kind="referral.submitted",outcome="retry"\\} ${expectedCount}`));

    // Backoff: nothing is retried before it is due (the first retry waits at least 15 s).
    await advance('PT10S');
    expect((await rows()).map((r) => r.attempts)).toEqual(Array(expectedCount).fill(1));

    // Retried, each attempt later than the last, and never given up on while the outage lasts (~1 hour).
    for (let attempt = 2; attempt <= 6; attempt++) {
      await advance(`PT${Math.ceil(backoffBounds(attempt - 1, NOTIFICATION_RETRY)[1] / 1000)}S`);
      await until(async () => (await rows()).every((r) => r.attempts === attempt && r.state === 'pending'), () => `attempt ${attempt} of every mail`);
      for (const r of await rows()) {
        const [lo, hi] = backoffBounds(attempt, NOTIFICATION_RETRY);
        const wait = new Date(r.next_attempt_at).getTime() - new Date(r.updated_at).getTime();
        expect(wait).toBeGreaterThanOrEqual(lo);
        expect(wait).toBeLessThanOrEqual(hi);
      }
    }
    expect(smtp.mails).toHaveLength(0);
    const failedList = await t.admin.get('/api/v1/notifications?status=failed').expect(200);
    expect(failedList.body.items).toHaveLength(0);

    // The mail server is back on the same port: at the next due attempt every mail goes out once.
    statuses.enter('smtp back');
    await smtp.start(port);
    expect((await t.http.get('/api/v1/health')).status).toBe(200);
    await advance(`PT${Math.ceil(backoffBounds(6, NOTIFICATION_RETRY)[1] / 1000)}S`);
    await until(async () => (await rows()).every((r) => r.state === 'sent'), 'every mail to be sent', 20_000);
    await smtp.waitForMails(expectedCount);

    // Later reconciler runs find nothing to send again.
    await advance('PT3H');
    await smtp.settled();
    await t.renewAdmin();

    const expected = await outboxIdentities(ds);
    expect(expected).toHaveLength(expectedCount);
    for (const ref of references) expect(smtp.mails.filter((m) => m.subject.includes(ref)).map((m) => m.to[0]).sort()).toEqual(w.coordinators.map((c) => c.email).sort());
    const result = ledger(smtp.mails, expected);
    expect({ missing: result.missing, unexpected: result.unexpected, duplicated: result.duplicated }).toEqual({ missing: [], unexpected: [], duplicated: [] });
    expect((await t.admin.get('/api/v1/notifications?status=sent&limit=100').expect(200)).body.items).toHaveLength(expectedCount);

    expect({ unexplained: statuses.unexplained(), summary: statuses.summary() }).toEqual({ unexplained: [], summary: expect.any(Object) });
    expect(statuses.count((s) => s.status === 503)).toBe(1); // the health check while SMTP was down
  }, 120_000);
});
