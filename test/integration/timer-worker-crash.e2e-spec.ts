import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PROBE_GATED, PROBE_TIMER_KIND, probeReference } from '../../src/modules/timers/testing/probe-timer.module.js';
import { createTestDatabase, type TestDatabase } from '../harness/database.js';
import { testEnvironment } from '../harness/environment.js';
import { runEntry, type RunningProcess } from '../harness/process.js';
import { eventually } from '../harness/queue-waiter.js';
import { SmtpCatcher } from '../harness/smtp-catcher.js';
import { clearQueuePrefix, testQueuePrefix } from '../harness/test-app.js';

/** The compiled worker (`npm test` builds dist/ first), killed with SIGKILL half way through a timer's effect. */
describe('a worker killed mid-effect', () => {
  let smtp: SmtpCatcher;
  let db: TestDatabase;
  let client: pg.Client;
  const prefix = testQueuePrefix();
  const running: RunningProcess[] = [];

  beforeAll(async () => {
    smtp = await new SmtpCatcher().start();
    db = await createTestDatabase();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });

  afterAll(async () => {
    for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await Promise.all(running.map((p) => p.exited));
    await client?.end();
    await clearQueuePrefix(prefix);
    await db?.drop();
    await smtp?.stop();
  });

  const worker = () => {
    const p = runEntry('worker', {
      DATABASE_URL: db.url,
      REDIS_URL: testEnvironment().redisUrl,
      SMTP_URL: smtp.url,
      MARAK_QUEUE_PREFIX: prefix,
      MARAK_TEST_CLOCK: 'true', // the test.probe timer kind exists only then
      MARAK_DATA_DIR: `.data/test/${db.name}`,
      PUBLIC_URL: 'https://marak.test',
      LOG_LEVEL: 'info',
    });
    running.push(p);
    return p;
  };

  it('leaves the timer pending when killed inside the effect, and a second worker fires it exactly once', async () => {
    const subjectId = randomUUID();
    // The probe's effect waits for this advisory lock: the test holds it, so the worker stops inside the effect.
    await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [subjectId]);
    const [{ id }] = (
      await client.query(
        `INSERT INTO timers (kind, subject_type, subject_id, fire_at, next_run_at) VALUES ($1, $2, $3, now() - interval '1 minute', now() - interval '1 minute') RETURNING id`,
        [PROBE_TIMER_KIND, PROBE_GATED, subjectId],
      )
    ).rows;

    const first = worker();
    await first.waitFor(/worker started/);
    // The worker's start-up reconcile is firing the timer and now waits inside the effect.
    const pid = await eventually(async () => {
      const { rows } = await client.query(
        `SELECT a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND NOT l.granted AND a.datname = $1`,
        [db.name],
      );
      return rows[0]?.pid as number | undefined;
    }, 'the worker to block inside the effect');

    first.child.kill('SIGKILL');
    await first.exited;
    // PostgreSQL notices a vanished client when it next talks to it; a backend blocked on a lock
    // notices late, so end it as the server would (its transaction rolls back).
    await client.query('SELECT pg_terminate_backend($1, 10000)', [pid]);

    const [before] = (await client.query(`SELECT state, attempts, fired_at FROM timers WHERE id = $1`, [id])).rows;
    expect(before).toEqual({ state: 'pending', attempts: 0, fired_at: null });
    expect((await client.query(`SELECT count(*)::int AS n FROM notifications`)).rows[0].n).toBe(0);
    await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [subjectId]);

    const second = worker();
    await second.waitFor(/worker started/);
    const mails = await smtp.waitForMails(1, 20_000);
    expect(mails[0].subject).toContain(probeReference(subjectId));
    const [after] = (await client.query(`SELECT state, attempts FROM timers WHERE id = $1`, [id])).rows;
    expect(after).toEqual({ state: 'fired', attempts: 0 });
    // The probe's effect is not idempotent on purpose: one row means it ran once.
    expect((await client.query(`SELECT count(*)::int AS n FROM notifications`)).rows[0].n).toBe(1);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(smtp.mails).toHaveLength(1);
  }, 60_000);

  it('refuses to start while pending timers have a kind nobody handles', async () => {
    await client.query(`INSERT INTO timers (kind, subject_type, subject_id, fire_at, next_run_at) VALUES ('gone.kind', 'test', $1, now(), now())`, [randomUUID()]);
    const p = worker();
    expect(await p.exited).toBe(1);
    expect(p.output()).toContain('pending timers of kind gone.kind exist but the kind has no handler');
  }, 60_000);
});
