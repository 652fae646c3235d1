import { randomUUID } from 'node:crypto';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { createWorkerContext } from '../../src/bootstrap.js';
import { NOTIFICATIONS_QUEUE, notificationSendJobId } from '../../src/modules/notifications/notification-jobs.js';
import { NotificationsService } from '../../src/modules/notifications/notifications.service.js';
import { PROBE_OBSOLETE, PROBE_RECIPIENT, PROBE_TIMER_KIND, probeReference } from '../../src/modules/timers/testing/probe-timer.module.js';
import { TimerEngine } from '../../src/modules/timers/timer-engine.js';
import { TIMERS_QUEUE, timerWakeJobId } from '../../src/modules/timers/timer-jobs.js';
import { TimersService } from '../../src/modules/timers/timers.service.js';
import { JobWaiter } from '../harness/queue-waiter.js';
import { SmtpCatcher } from '../harness/smtp-catcher.js';
import { clearQueuePrefix, startTestApp, testConfig, type TestApp } from '../harness/test-app.js';

/** The timer engine against real PostgreSQL and Redis: exactly once, whatever Redis and BullMQ do. */
describe('timers', () => {
  let smtp: SmtpCatcher;
  let t: TestApp;
  let ds: DataSource;
  let timers: TimersService;
  let engine: TimerEngine;
  let timerQueue: Queue;
  let timerJobs: JobWaiter;
  let sendJobs: JobWaiter;

  beforeAll(async () => {
    smtp = await new SmtpCatcher().start();
    t = await startTestApp({ smtp });
    t.clock.set(new Date('2027-06-07T06:00:00.000Z')); // Monday 09:00 in Helsinki
    await t.renewAdmin();
    ds = t.app.get(DataSource);
    timers = t.app.get(TimersService);
    engine = t.app.get(TimerEngine);
    timerQueue = t.app.get<Queue>(getQueueToken(TIMERS_QUEUE));
    timerJobs = await new JobWaiter(TIMERS_QUEUE, t.config.queuePrefix).ready();
    sendJobs = await new JobWaiter(NOTIFICATIONS_QUEUE, t.config.queuePrefix).ready();
  });

  afterAll(async () => {
    await timerJobs?.close();
    await sendJobs?.close();
    await t?.close();
    await smtp?.stop();
  });

  beforeEach(() => {
    smtp.accept();
    smtp.mails.length = 0;
  });

  const inMs = (ms: number) => new Date(t.clock.now().getTime() + ms);
  const schedule = (subjectId = randomUUID(), fireAt = inMs(0), subjectType = 'test') =>
    ds.transaction((tx) => timers.schedule(tx, { kind: PROBE_TIMER_KIND, subjectType, subjectId, fireAt }));
  const timerRow = async (id: string) => (await ds.query(`SELECT * FROM timers WHERE id = $1`, [id]))[0];
  const probeMailsFor = (subjectId: string) => smtp.mails.filter((m) => m.subject.includes(probeReference(subjectId)));
  /** Waits (on SMTP events) until the probe mail of each subject has arrived. */
  const probeMails = async (...subjectIds: string[]) => {
    for (let n = 1; !subjectIds.every((s) => probeMailsFor(s).length); n++) await smtp.waitForMails(n);
  };
  const notificationsFor = async (subjectId: string): Promise<Array<{ id: string; state: string; attempts: number; last_error: string | null }>> =>
    ds.query(`SELECT id, state, attempts, last_error FROM notifications WHERE params->>'reference' = $1`, [probeReference(subjectId)]);
  // Access tokens expire on the test clock too: log in again before each move.
  const move = async (body: { advance?: string; now?: string }) => {
    await t.renewAdmin();
    return t.admin.post('/api/v1/test/clock').send(body).expect(200);
  };

  it('writes the timer in the caller transaction and enqueues its wake-up only after commit', async () => {
    const subjectId = randomUUID();
    await expect(
      ds.transaction(async (tx) => {
        await timers.schedule(tx, { kind: PROBE_TIMER_KIND, subjectType: 'test', subjectId, fireAt: inMs(3_600_000) });
        throw new Error('the change that created the obligation failed');
      }),
    ).rejects.toThrow('failed');
    expect(await ds.query(`SELECT 1 FROM timers WHERE subject_id = $1`, [subjectId])).toHaveLength(0);
    expect((await timerQueue.getDelayed()).filter((j) => j.name === 'timer.fire')).toHaveLength(0);

    const id = await schedule(subjectId, inMs(3_600_000));
    const job = await timerQueue.getJob(timerWakeJobId(id, inMs(3_600_000)));
    expect(job?.data).toEqual({ timerId: id }); // the id and nothing else
    expect(await job?.isDelayed()).toBe(true);
    await ds.transaction((tx) => timers.cancel(tx, { subjectType: 'test', subjectId }));
  });

  it('keeps wake-ups only for timers within the 48-hour horizon', async () => {
    const near = await schedule(randomUUID(), inMs(47 * 3_600_000));
    const far = await schedule(randomUUID(), inMs(30 * 86_400_000));
    expect(await timerQueue.getJob(timerWakeJobId(near, inMs(47 * 3_600_000)))).toBeDefined();
    expect(await timerQueue.getJob(timerWakeJobId(far, inMs(30 * 86_400_000)))).toBeUndefined();
    await ds.query(`UPDATE timers SET state = 'cancelled' WHERE id = ANY($1)`, [[near, far]]);
  });

  it('fires when the clock passes fire_at, not before, and the mail arrives once', async () => {
    const subjectId = randomUUID();
    const id = await schedule(subjectId, inMs(2 * 3_600_000));
    // A wake-up that comes early (BullMQ runs on real time) does nothing.
    expect(await engine.fire(id)).toBe('not-due');
    await move({ advance: 'PT1H' });
    expect((await timerRow(id)).state).toBe('pending');
    await move({ advance: 'PT1H' });
    const row = await timerRow(id);
    expect(row.state).toBe('fired');
    expect(new Date(row.fired_at).getTime()).toBe(t.clock.now().getTime());
    await probeMails(subjectId);
    expect(probeMailsFor(subjectId)).toHaveLength(1);
    expect(probeMailsFor(subjectId)[0].to).toEqual([PROBE_RECIPIENT]);
  });

  it('fires once when BullMQ delivers the wake-up twice and the reconciler runs too', async () => {
    const subjectId = randomUUID();
    const id = await schedule(subjectId, inMs(0));
    const [a, b] = await Promise.all([
      timerQueue.add('timer.fire', { timerId: id }, { jobId: `dup-a-${id}` }),
      timerQueue.add('timer.fire', { timerId: id }, { jobId: `dup-b-${id}` }),
    ]);
    const outcomes = [engine.fire(id), engine.reconcile({ wait: true })];
    const finished = await Promise.all([timerJobs.wait(a.id!), timerJobs.wait(b.id!)]);
    await Promise.all(outcomes);
    expect((await timerRow(id)).state).toBe('fired');
    expect(finished.every((f) => f.ok)).toBe(true);
    expect(await notificationsFor(subjectId)).toHaveLength(1);
    const [n] = await notificationsFor(subjectId);
    await sendJobs.wait(notificationSendJobId(n.id, 0));
    expect(probeMailsFor(subjectId)).toHaveLength(1);
  });

  it('fires each timer once when two workers race for them', async () => {
    const second = await createWorkerContext({ config: { ...testConfig(t.db, { queuePrefix: t.config.queuePrefix, smtp }), role: 'worker' }, clock: t.clock });
    await second.init();
    try {
      const otherEngine = second.get(TimerEngine);
      const subjects = Array.from({ length: 20 }, () => randomUUID());
      // Due in a minute of clock time (their wake-ups wait a real minute); then time jumps
      // without running the reconciler, and both workers go for every timer at once.
      const ids = await Promise.all(subjects.map((s) => schedule(s, inMs(60_000))));
      t.clock.advance(60_000);
      const outcomes = await Promise.all(ids.flatMap((id) => [engine.fire(id), otherEngine.fire(id)]));
      await Promise.all([engine.reconcile({ wait: true }), otherEngine.reconcile({ wait: true })]);
      expect(outcomes.filter((o) => o === 'fired')).toHaveLength(20);
      expect(outcomes.filter((o) => o !== 'fired').every((o) => o === 'locked' || o === 'already-fired')).toBe(true);
      for (const s of subjects) expect(await notificationsFor(s)).toHaveLength(1);
      await probeMails(...subjects);
      for (const s of subjects) expect(probeMailsFor(s)).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it('cancels a timer whose wake-up is already queued: the job is removed, or finds the row cancelled', async () => {
    const subjectId = randomUUID();
    const id = await schedule(subjectId, inMs(60_000));
    const jobId = timerWakeJobId(id, inMs(60_000));
    expect(await timerQueue.getJob(jobId)).toBeDefined();
    const cancelled = await ds.transaction((tx) => timers.cancel(tx, { kind: PROBE_TIMER_KIND, subjectType: 'test', subjectId }));
    expect(cancelled).toBe(1);
    expect(await timerQueue.getJob(jobId)).toBeUndefined();
    // A wake-up delivered anyway (already taken by a worker when we cancelled) does nothing.
    const late = await timerQueue.add('timer.fire', { timerId: id }, { jobId: `late-${id}` });
    expect(await timerJobs.wait(late.id!)).toEqual({ ok: true, value: { outcome: 'cancelled' } });
    await move({ advance: 'PT5M' });
    expect((await timerRow(id)).state).toBe('cancelled');
    expect(await notificationsFor(subjectId)).toHaveLength(0);
  });

  it('reschedules: the old wake-up goes, the new one comes, and it fires at the new time', async () => {
    const subjectId = randomUUID();
    const id = await schedule(subjectId, inMs(60_000));
    await ds.transaction((tx) => timers.reschedule(tx, { kind: PROBE_TIMER_KIND, subjectType: 'test', subjectId, fireAt: inMs(2 * 3_600_000) }));
    expect(await timerQueue.getJob(timerWakeJobId(id, inMs(60_000)))).toBeUndefined();
    expect(await timerQueue.getJob(timerWakeJobId(id, inMs(2 * 3_600_000)))).toBeDefined();
    await move({ advance: 'PT1H' });
    expect((await timerRow(id)).state).toBe('pending');
    await move({ advance: 'PT1H' });
    expect((await timerRow(id)).state).toBe('fired');
    await probeMails(subjectId);
  });

  it('skips a timer whose obligation no longer stands', async () => {
    const subjectId = randomUUID();
    // Due in a minute of test-clock time: its real-time wake-up is a minute away, so only this call runs it.
    const id = await schedule(subjectId, inMs(60_000), PROBE_OBSOLETE);
    t.clock.advance(60_000);
    expect(await engine.fire(id)).toBe('skipped');
    expect((await timerRow(id)).state).toBe('skipped');
    expect(await notificationsFor(subjectId)).toHaveLength(0);
  });

  it('returns the pending timer for a dedupe key instead of a second one', async () => {
    const subjectId = randomUUID();
    const args = { kind: PROBE_TIMER_KIND, subjectType: 'test', subjectId, fireAt: inMs(86_400_000), dedupeKey: `probe-${subjectId}` };
    const a = await ds.transaction((tx) => timers.schedule(tx, args));
    const b = await ds.transaction((tx) => timers.schedule(tx, args));
    expect(b).toBe(a);
    await ds.transaction((tx) => timers.cancel(tx, { subjectType: 'test', subjectId }));
  });

  it('fires every pending timer once after Redis lost everything, and rebuilds the wake-ups', async () => {
    const subjects = Array.from({ length: 4 }, () => randomUUID());
    const ids = await Promise.all([
      schedule(subjects[0], inMs(60_000)),
      schedule(subjects[1], inMs(3_600_000)),
      schedule(subjects[2], inMs(5 * 3_600_000)),
      schedule(subjects[3], inMs(3 * 86_400_000)), // beyond the horizon: never was in Redis
    ]);
    // FLUSHALL in miniature: other test files share this Redis, so only this app's keys go.
    await clearQueuePrefix(t.config.queuePrefix);
    expect(await timerQueue.getJob(timerWakeJobId(ids[1], inMs(3_600_000)))).toBeUndefined();
    // The reconciler (run by the test clock here, by the scheduler and the interval in life) rebuilds the horizon…
    await move({ advance: 'PT1S' });
    expect(await timerQueue.getJob(timerWakeJobId(ids[1], new Date((await timerRow(ids[1])).next_run_at)))).toBeDefined();
    // …and fires everything as it comes due.
    await move({ advance: 'P4D' });
    for (const id of ids) expect((await timerRow(id)).state).toBe('fired');
    await probeMails(...subjects);
    for (const s of subjects) expect(probeMailsFor(s)).toHaveLength(1);
    expect(smtp.mails).toHaveLength(4);
  });

  it('delays mail through an SMTP outage of ten minutes and loses none', async () => {
    smtp.refuse();
    const subjectId = randomUUID();
    await schedule(subjectId, inMs(0));
    await move({ advance: 'PT1S' });
    const [n] = await notificationsFor(subjectId);
    const started = t.clock.now().getTime();
    let attempt = 0;
    // Each retry comes due on the clock; the test moves the clock there and waits for the attempt.
    while (t.clock.now().getTime() - started < 10 * 60_000) {
      expect(await sendJobs.wait(notificationSendJobId(n.id, attempt))).toEqual({ ok: true, value: { outcome: 'retry' } });
      attempt++;
      const [row] = await ds.query(`SELECT state, attempts, last_error, next_attempt_at FROM notifications WHERE id = $1`, [n.id]);
      expect(row).toMatchObject({ state: 'pending', attempts: attempt });
      expect(row.last_error).toContain('451');
      await move({ now: new Date(row.next_attempt_at).toISOString() });
    }
    expect(attempt).toBeGreaterThanOrEqual(4);
    smtp.accept();
    expect(await sendJobs.wait(notificationSendJobId(n.id, attempt))).toEqual({ ok: true, value: { outcome: 'sent' } });
    await probeMails(subjectId);
    expect(probeMailsFor(subjectId)).toHaveLength(1);
    expect((await notificationsFor(subjectId))[0]).toMatchObject({ state: 'sent', attempts: attempt + 1 });
  });

  it('marks a message failed after its last attempt, lists it and counts it', async () => {
    smtp.refuse();
    const id = await ds.transaction(async (tx) =>
      (
        await t.app.get(NotificationsService).enqueue(tx, {
          kind: 'case.closed',
          recipient: 'sosiaalitoimi@agency.test',
          locale: 'fi',
          params: { reference: 'MRK-2027-00099', path: '/cases/0b8e3c1e-6a51-4d43-9c27-2f0c6f7d5a10' },
          idempotencyKey: `case.closed-${randomUUID()}`,
        })
      ).id,
    );
    expect(await sendJobs.wait(notificationSendJobId(id, 0))).toEqual({ ok: true, value: { outcome: 'retry' } });
    // Nine attempts later (moved on in the database rather than waited through):
    await ds.query(`UPDATE notifications SET attempts = 9, next_attempt_at = $2 WHERE id = $1`, [id, t.clock.now()]);
    await move({ advance: 'PT1S' });
    expect(await sendJobs.wait(notificationSendJobId(id, 9))).toEqual({ ok: true, value: { outcome: 'failed' } });
    const list = await t.admin.get('/api/v1/notifications?status=failed').expect(200);
    expect(list.body.items).toEqual([expect.objectContaining({ id, kind: 'case.closed', status: 'failed', attempts: 10, recipient: 'sosiaalitoimi@agency.test' })]);
    expect(list.body.items[0].lastError).toContain('451');
    const metrics = await t.http.get('/api/v1/metrics').expect(200);
    expect(metrics.text).toMatch(/marak_notifications\{status="failed"\} 1/);
    expect(metrics.text).toMatch(/marak_notification_attempts_total\{kind="case.closed",outcome="failed"\} 1/);
    expect(metrics.text).toMatch(/marak_timer_lateness_seconds_count\{kind="test.probe"\} \d+/);
    expect(metrics.text).toMatch(/marak_queue_jobs\{queue="timers",state="delayed"\}/);
  });
});
