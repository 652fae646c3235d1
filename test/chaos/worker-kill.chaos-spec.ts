import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import pg from 'pg';
import { PROBE_GATED, PROBE_TIMER_KIND, probeReference } from '../../src/modules/timers/testing/probe-timer.module.js';
import { TIMER_FIRE_JOB, TIMERS_QUEUE, timerWakeJobId } from '../../src/modules/timers/timer-jobs.js';
import { createTestDatabase, type TestDatabase } from '../harness/database.js';
import { testEnvironment } from '../harness/environment.js';
import { runEntry, type RunningProcess } from '../harness/process.js';
import { SmtpCatcher } from '../harness/smtp-catcher.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';
import { aReferralWorld, ledger, outboxIdentities, StatusLog, submitReferral, until, type ReferralWorld } from './chaos-kit.js';

/**
 * Chaos 1: the worker process (dist/src/worker.js) is killed with SIGKILL in the middle of its
 * effects: timers firing, mails being handed to a slow SMTP server, one timer's effect blocked
 * half way. A new worker finishes everything. Every timer's effect runs once; every mail arrives
 * once, except that the one mail SMTP had accepted when the worker died (before it could commit
 * "sent") may arrive twice, with the same Message-ID, and the test shows that it is that one.
 */
describe('chaos: a worker killed with SIGKILL during its effects', () => {
  const REFERRALS = 5;
  const PROBES = 20;
  const KILL_AT_MAIL = 12;
  let db: TestDatabase;
  let client: pg.Client;
  let smtp: SmtpCatcher;
  let t: TestApp;
  let w: ReferralWorld;
  let timersQueue: Queue;
  const running: RunningProcess[] = [];
  const statuses = new StatusLog();

  beforeAll(async () => {
    smtp = await new SmtpCatcher({ acceptDelayMs: 150 }).start();
    db = await createTestDatabase();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    t = await startTestApp({ smtp, db, role: 'api' }); // its test clock follows real time, as the worker's does
    statuses.watch(t.app.getHttpServer());
    timersQueue = new Queue(TIMERS_QUEUE, { connection: { url: testEnvironment().redisUrl }, prefix: t.config.queuePrefix });
    w = await aReferralWorld(t);
  });

  afterAll(async () => {
    for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await Promise.all(running.map((p) => p.exited));
    await timersQueue?.close();
    await client?.end();
    await t?.close();
    await db?.drop();
    await smtp?.stop();
  });

  const worker = () => {
    const p = runEntry('worker', {
      DATABASE_URL: db.url,
      REDIS_URL: testEnvironment().redisUrl,
      SMTP_URL: smtp.url,
      MARAK_QUEUE_PREFIX: t.config.queuePrefix,
      MARAK_TEST_CLOCK: 'true', // the test.probe timer kind exists only then
      MARAK_DATA_DIR: `.data/test/${db.name}`,
      PUBLIC_URL: 'https://marak.test',
      LOG_LEVEL: 'info',
    });
    running.push(p);
    return p;
  };

  /** Probe timers due over the next seconds, with their wake-ups, as TimersService.schedule makes them. */
  const scheduleProbes = async (n: number, subjectType: string, firstInMs: number, everyMs: number): Promise<Array<{ id: string; subjectId: string }>> => {
    const out: Array<{ id: string; subjectId: string }> = [];
    for (let i = 0; i < n; i++) {
      const subjectId = randomUUID();
      const fireAt = new Date(Date.now() + firstInMs + i * everyMs);
      const [{ id }] = (
        await client.query(`INSERT INTO timers (kind, subject_type, subject_id, fire_at, next_run_at) VALUES ($1, $2, $3, $4, $4) RETURNING id`, [PROBE_TIMER_KIND, subjectType, subjectId, fireAt])
      ).rows;
      await timersQueue.add(TIMER_FIRE_JOB, { timerId: id }, { jobId: timerWakeJobId(id, fireAt), delay: Math.max(0, fireAt.getTime() - Date.now()), removeOnComplete: true, removeOnFail: true });
      out.push({ id, subjectId });
    }
    return out;
  };

  it('leaves nothing half done: a new worker completes every timer and mail, each once', async () => {
    const first = worker();
    await first.waitFor(/worker started/, 60_000);

    // Work: referrals through the API (two coordinator mails each), probe timers firing over the
    // next three seconds (a mail each), and one probe whose effect blocks on a lock the test holds.
    const gatedSubject = randomUUID();
    await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [gatedSubject]);
    let killed: Promise<unknown> | undefined;
    smtp.onReceived = (n) => {
      // The worker dies while SMTP is accepting this mail: it never hears the 250, so never commits "sent".
      if (n === KILL_AT_MAIL && !killed) {
        first.child.kill('SIGKILL');
        killed = first.exited;
      }
    };
    const references: string[] = [];
    for (let i = 0; i < REFERRALS; i++) {
      const { submit } = await submitReferral(t, w);
      expect(submit?.status).toBe(200);
      references.push(submit!.body.reference);
    }
    const probes = await scheduleProbes(PROBES, 'test', 0, 150);
    const [gatedId] = (
      await client.query(`INSERT INTO timers (kind, subject_type, subject_id, fire_at, next_run_at) VALUES ($1, $2, $3, now(), now()) RETURNING id`, [PROBE_TIMER_KIND, PROBE_GATED, gatedSubject])
    ).rows.map((r) => r.id as string);
    await timersQueue.add(TIMER_FIRE_JOB, { timerId: gatedId }, { jobId: `chaos-gated-${gatedId}`, removeOnComplete: true, removeOnFail: true });

    await until(() => killed !== undefined, () => `mail ${KILL_AT_MAIL} to reach SMTP (received ${smtp.received})\n${first.output().slice(-2000)}`, 30_000);
    await killed;
    statuses.enter('after the kill');
    await smtp.settled();
    // A backend blocked on a lock notices its vanished client late: end it as the server would (its transaction rolls back).
    await client.query(
      `SELECT pg_terminate_backend(l.pid, 10000) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND NOT l.granted AND a.datname = $1`,
      [db.name],
    );
    await until(
      async () => (await client.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND state <> 'idle'`, [db.name])).rows[0].n === 0,
      'the dead worker’s transactions to be rolled back',
    );

    // What the kill left: the mails SMTP accepted whose rows still say pending are the ones the
    // worker had in flight (at most one: it sends one at a time). Only they may arrive twice.
    const accepted = new Set(smtp.mails.map((m) => m.messageId));
    const inFlight = (await client.query(`SELECT message_id, recipient FROM notifications WHERE state = 'pending'`)).rows.filter((r) => accepted.has(r.message_id));
    expect(inFlight.length).toBeLessThanOrEqual(1);
    const allowedDuplicates = new Set(inFlight.map((r) => `${r.message_id} ${r.recipient}`));
    const left = (await client.query(`SELECT state, count(*)::int AS n FROM timers WHERE kind = 'test.probe' GROUP BY state ORDER BY state`)).rows;
    const [gated] = (await client.query(`SELECT state, attempts FROM timers WHERE id = $1`, [gatedId])).rows;
    expect(gated).toEqual({ state: 'pending', attempts: 0 }); // its effect was rolled back with the worker
    const sentBefore = (await client.query(`SELECT count(*)::int AS n FROM notifications WHERE state = 'sent'`)).rows[0].n;
    expect(sentBefore).toBeLessThan(REFERRALS * 2 + PROBES + 1); // work was left

    // A new worker. Everything completes.
    await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [gatedSubject]);
    const second = worker();
    await second.waitFor(/worker started/, 60_000);
    const expectedCount = REFERRALS * 2 + PROBES + 1;
    await until(
      async () => {
        const [r] = (
          await client.query(
            `SELECT (SELECT count(*) FROM timers WHERE kind = 'test.probe' AND state <> 'fired')::int AS timers, (SELECT count(*) FROM notifications WHERE state = 'sent')::int AS sent, (SELECT count(*) FROM notifications)::int AS n`,
          )
        ).rows;
        return r.timers === 0 && r.sent === expectedCount && r.n === expectedCount;
      },
      async () => `every timer fired and ${expectedCount} mails sent: ${JSON.stringify((await client.query(`SELECT state, count(*)::int FROM notifications GROUP BY state`)).rows)}`,
      90_000,
    );
    await smtp.settled();

    // Each timer's effect ran once: one outbox row per probe timer (its effect makes a fresh key each run).
    for (const p of [...probes, { id: gatedId, subjectId: gatedSubject }]) {
      const n = (await client.query(`SELECT count(*)::int AS n FROM notifications WHERE params->>'reference' = $1`, [probeReference(p.subjectId)])).rows[0].n;
      expect({ timer: p.id, rows: n }).toEqual({ timer: p.id, rows: 1 });
    }
    const expected = await outboxIdentities(client);
    expect(expected).toHaveLength(expectedCount);
    const result = ledger(smtp.mails, expected, allowedDuplicates);
    expect({ missing: result.missing, unexpected: result.unexpected, unexplainedDuplicates: result.unexplainedDuplicates }).toEqual({ missing: [], unexpected: [], unexplainedDuplicates: [] });
    for (const ref of references) expect(new Set(smtp.mails.filter((m) => m.subject.includes(ref)).map((m) => m.to[0]))).toEqual(new Set(w.coordinators.map((c) => c.email)));
    expect({ unexplained: statuses.unexplained(), summary: statuses.summary() }).toEqual({ unexplained: [], summary: expect.any(Object) });
    process.stdout.write(
      `worker-kill: timers at the kill ${JSON.stringify(left)}, mails sent before ${sentBefore}/${expectedCount}, in flight ${inFlight.length}, duplicates ${JSON.stringify(result.duplicated)}\n`,
    );
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 150_000);
});
