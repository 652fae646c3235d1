import { QueueEvents } from 'bullmq';
import { testEnvironment } from './environment.js';

/**
 * Listens to a queue's events from the start and lets a test wait for a job id to finish
 * (completed or failed), even when it finished before the test asked (jobs are removed on
 * completion, so `Job.waitUntilFinished` cannot be used after the fact).
 */
export class JobWaiter {
  private readonly finished = new Map<string, { ok: boolean; value: unknown }>();
  private readonly waiters = new Map<string, Array<(r: { ok: boolean; value: unknown }) => void>>();
  readonly events: QueueEvents;

  constructor(queue: string, prefix: string) {
    this.events = new QueueEvents(queue, { connection: { url: testEnvironment().redisUrl }, prefix });
    this.events.on('completed', ({ jobId, returnvalue }) => this.done(jobId, { ok: true, value: returnvalue }));
    this.events.on('failed', ({ jobId, failedReason }) => this.done(jobId, { ok: false, value: failedReason }));
  }

  async ready(): Promise<this> {
    await this.events.waitUntilReady();
    return this;
  }

  private done(jobId: string, r: { ok: boolean; value: unknown }): void {
    this.finished.set(jobId, r);
    for (const w of this.waiters.get(jobId) ?? []) w(r);
    this.waiters.delete(jobId);
  }

  wait(jobId: string, timeoutMs = 10_000): Promise<{ ok: boolean; value: unknown }> {
    const seen = this.finished.get(jobId);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`job ${jobId} did not finish in ${timeoutMs} ms`)), timeoutMs);
      const list = this.waiters.get(jobId) ?? [];
      list.push((r) => (clearTimeout(timer), resolve(r)));
      this.waiters.set(jobId, list);
    });
  }

  async close(): Promise<void> {
    await this.events.close();
  }
}

/** Waits for a condition another process brings about (a lock being waited on, a backend gone). */
export async function eventually<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
