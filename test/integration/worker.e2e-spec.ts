import type { INestApplicationContext } from '@nestjs/common';
import { Queue, QueueEvents } from 'bullmq';
import { DataSource } from 'typeorm';
import { createWorkerContext } from '../../src/bootstrap.js';
import { TestClock } from '../../src/platform/clock/clock.js';
import { createTestDatabase, type TestDatabase } from '../harness/database.js';
import { clearQueuePrefix, testConfig } from '../harness/test-app.js';
import { testEnvironment } from '../harness/environment.js';

describe('the worker role', () => {
  let db: TestDatabase;
  let worker: INestApplicationContext;
  let queue: Queue;
  let events: QueueEvents;
  const clock = new TestClock();
  let prefix: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = { ...testConfig(db), role: 'worker' as const };
    prefix = config.queuePrefix;
    worker = await createWorkerContext({ config, clock });
    await worker.init();
    const connection = { url: testEnvironment().redisUrl };
    queue = new Queue('maintenance', { connection, prefix });
    events = new QueueEvents('maintenance', { connection, prefix });
    await events.waitUntilReady();
  });

  afterAll(async () => {
    await events?.close();
    await queue?.close();
    await worker?.close();
    await clearQueuePrefix(prefix);
    await db?.drop();
  });

  it('declares its job scheduler at start', async () => {
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toContain('idempotency-purge');
  });

  it('runs a job: expired idempotency keys are purged, live ones kept', async () => {
    clock.set(new Date('2027-03-01T10:00:00.000Z'));
    const ds = worker.get(DataSource);
    await ds.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, state, locked_until, expires_at) VALUES
       ('u', 'old', 'h', 'completed', now(), '2027-02-28T10:00:00Z'),
       ('u', 'live', 'h', 'completed', now(), '2027-03-02T10:00:00Z')`,
    );
    const job = await queue.add('idempotency.purge', {}, { removeOnComplete: true });
    // The scheduler's own first run may purge it first; either way it is gone once the job is done.
    const result = await job.waitUntilFinished(events, 10_000);
    expect(result).toEqual({ purged: expect.any(Number) });
    const keys = (await ds.query(`SELECT key FROM idempotency_keys ORDER BY key`)).map((r: { key: string }) => r.key);
    expect(keys).toEqual(['live']);
  });

  it('fails a job it has no handler for without retrying it', async () => {
    const job = await queue.add('no.such.job', {}, { attempts: 3 });
    await expect(job.waitUntilFinished(events, 10_000)).rejects.toThrow(/No handler for job no.such.job/);
    const failed = await Queue.prototype.getJob.call(queue, job.id!);
    expect(failed?.attemptsMade).toBe(1);
  });

  it('re-declares its scheduler after Redis lost everything, at the next start', async () => {
    await clearQueuePrefix(prefix);
    expect(await queue.getJobSchedulers()).toHaveLength(0);
    const again = await createWorkerContext({ config: { ...testConfig(db, { queuePrefix: prefix }), role: 'worker' }, clock });
    await again.init();
    try {
      expect((await queue.getJobSchedulers()).map((s) => s.key)).toContain('idempotency-purge');
    } finally {
      await again.close();
    }
  });
});
