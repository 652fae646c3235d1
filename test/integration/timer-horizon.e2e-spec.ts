import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { PROBE_TIMER_KIND } from '../../src/modules/timers/testing/probe-timer.module.js';
import { TimerEngine } from '../../src/modules/timers/timer-engine.js';
import { isTimerWakeJobId, TIMER_HORIZON_MS, TIMER_TOP_UP_PAGE, TIMERS_QUEUE, TIMERS_RECONCILE_SCHEDULER } from '../../src/modules/timers/timer-jobs.js';
import { QUEUE_EVENTS_MAX_LEN } from '../../src/platform/queues/queue-catalog.js';
import { testEnvironment } from '../harness/environment.js';
import { eventually } from '../harness/queue-waiter.js';
import { clearQueuePrefix, startTestApp, type TestApp } from '../harness/test-app.js';

/** The horizon's wake-ups in Redis: every one of them, however many, and back soon after Redis lost them. */
describe('timer wake-ups within the horizon', () => {
  let t: TestApp;
  let ds: DataSource;
  let engine: TimerEngine;
  let queue: Queue;
  const within = TIMER_TOP_UP_PAGE * 2 + 7; // more than one page of the reconciler's top-up
  const beyond = 20;
  let expectedWakeups = 0;

  beforeAll(async () => {
    t = await startTestApp();
    t.clock.set(new Date('2027-06-07T06:00:00.000Z'));
    ds = t.app.get(DataSource);
    engine = t.app.get(TimerEngine);
    queue = t.app.get<Queue>(getQueueToken(TIMERS_QUEUE));
    const now = t.clock.now().getTime();
    // Due from an hour ahead to just inside the horizon, and some beyond it.
    await ds.query(
      `INSERT INTO timers (kind, subject_type, subject_id, fire_at, next_run_at)
       SELECT $1, 'test', gen_random_uuid(), at, at
         FROM (SELECT to_timestamp(($2::float8 + 3600000 + i * (($3::float8 - 3600000 - 60000) / $4::int)) / 1000.0) AS at FROM generate_series(0, $4::int - 1) i) s`,
      [PROBE_TIMER_KIND, now, TIMER_HORIZON_MS, within],
    );
    await ds.query(
      `INSERT INTO timers (kind, subject_type, subject_id, fire_at, next_run_at)
       SELECT $1, 'test', gen_random_uuid(), at, at
         FROM (SELECT to_timestamp(($2::float8 + $3::float8 + 3600000 + i * 60000) / 1000.0) AS at FROM generate_series(1, $4::int) i) s`,
      [PROBE_TIMER_KIND, now, TIMER_HORIZON_MS, beyond],
    );
  });

  afterAll(async () => {
    await t?.close();
  });

  const wakeups = async () => (await queue.getJobs(['delayed'], 0, -1)).filter((j) => isTimerWakeJobId(j.id)).length;

  it('the reconciler keeps a wake-up for every pending timer within the horizon, page after page, and none beyond', async () => {
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM timers WHERE state = 'pending' AND next_run_at <= $1`, [new Date(t.clock.now().getTime() + TIMER_HORIZON_MS)]);
    expect(n).toBeGreaterThanOrEqual(within); // ours, and any the application scheduled itself
    expectedWakeups = n;
    const result = await engine.reconcile({ wait: true });
    expect(result.wakeupsEnqueued).toBe(n);
    expect(await wakeups()).toBe(n);
    // Thousands of jobs, but the queue's events stream stays short (BullMQ trims it approximately).
    const redis = new Redis(testEnvironment().redisUrl);
    try {
      expect(await redis.xlen(`${t.config.queuePrefix}:${TIMERS_QUEUE}:events`)).toBeLessThan(QUEUE_EVENTS_MAX_LEN + 200);
    } finally {
      redis.disconnect();
    }
  });

  it('after Redis lost everything, the running worker declares its scheduler again and restores the wake-ups within seconds', async () => {
    await eventually(async () => (await wakeups()) === expectedWakeups, 'the wake-ups in Redis');
    await clearQueuePrefix(t.config.queuePrefix); // as FLUSHALL would, under this app's prefix
    expect(await queue.getJobScheduler(TIMERS_RECONCILE_SCHEDULER)).toBeUndefined();
    // No restart and no clock move: the scheduler's watch (every 5 s) notices, well before the one-minute floor.
    await eventually(async () => !!(await queue.getJobScheduler(TIMERS_RECONCILE_SCHEDULER)), 'the reconcile scheduler back', 20_000);
    await eventually(async () => (await wakeups()) === expectedWakeups, 'every wake-up back', 20_000);
  }, 60_000);
});
