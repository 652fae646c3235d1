import { OnWorkerEvent } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { JobProcessor } from './job-processor.js';

/** How often a worker looks whether Redis still has its reconcile job scheduler (one HGETALL). */
export const SCHEDULER_WATCH_MS = 5_000;

/**
 * A processor whose queue also has a reconciler: a BullMQ job scheduler re-declared at every
 * start, and an in-process interval as the floor for when Redis has lost everything (the
 * reconciler itself takes a PostgreSQL advisory lock, so one run at a time across workers).
 * Every few seconds the worker also looks whether the scheduler is still in Redis: when it is
 * gone (a FLUSHALL, a Redis restarted or failed over empty) it is declared again and the
 * reconciler runs at once, so the wake-ups are back within seconds rather than at the floor's
 * next tick (up to a minute). Every run is tracked, so shutdown waits for all of them.
 */
export abstract class ReconcilingProcessor extends JobProcessor {
  protected abstract readonly logger: Logger;
  private interval?: NodeJS.Timeout;
  private watch?: NodeJS.Timeout;
  private watching = false;
  private readonly running = new Set<Promise<unknown>>();

  /**
   * Redis trouble (an outage, keys wiped under a running job) is logged; PostgreSQL keeps the
   * truth. Inherited by every subclass (the BullMQ explorer scans the prototype chain).
   */
  @OnWorkerEvent('error')
  onWorkerError(err: Error): void {
    this.logger.warn(`queue worker: ${err.message}`);
  }

  /** The reconciler run (also the handler of the scheduled reconcile job). */
  protected abstract reconcile(): Promise<unknown>;

  protected runReconcile<T>(run: Promise<T>): Promise<T> {
    const tracked = run.catch(() => undefined).finally(() => this.running.delete(tracked));
    this.running.add(tracked);
    return run;
  }

  /** Declares the job scheduler, starts the floor interval and the scheduler's watch, and catches up at once. */
  protected async startReconciler(queue: Queue, scheduler: string, jobName: string, everyMs: number): Promise<void> {
    const declare = () => queue.upsertJobScheduler(scheduler, { every: everyMs }, { name: jobName, opts: { removeOnComplete: 100, removeOnFail: 100 } });
    await declare();
    this.interval = setInterval(() => void this.floor(), everyMs);
    this.interval.unref();
    this.watch = setInterval(() => void this.watchScheduler(queue, scheduler, declare), SCHEDULER_WATCH_MS);
    this.watch.unref();
    void this.floor();
  }

  /** Redis lost the scheduler, and with it every delayed job: declare it again and reconcile now. */
  private async watchScheduler(queue: Queue, scheduler: string, declare: () => Promise<unknown>): Promise<void> {
    if (this.watching) return;
    this.watching = true;
    try {
      if (await queue.getJobScheduler(scheduler)) return;
      this.logger.warn(`${this.queue}: the reconcile job scheduler is gone from Redis (flushed, or restarted empty): declaring it again and reconciling now`);
      await declare();
      await this.floor();
    } catch {
      // Redis is down: the floor interval carries on from PostgreSQL; look again at the next tick.
    } finally {
      this.watching = false;
    }
  }

  private async floor(): Promise<void> {
    try {
      await this.runReconcile(this.reconcile());
    } catch (err) {
      this.logger.warn(`${this.queue} reconciler run failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  override async onModuleDestroy(): Promise<void> {
    if (this.interval) clearInterval(this.interval);
    if (this.watch) clearInterval(this.watch);
    await super.onModuleDestroy();
    await Promise.all(this.running);
  }
}
