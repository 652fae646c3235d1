import { OnWorkerEvent } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { JobProcessor } from './job-processor.js';

/**
 * A processor whose queue also has a reconciler: a BullMQ job scheduler re-declared at every
 * start, and an in-process interval as the floor for when Redis has lost everything (the
 * reconciler itself takes a PostgreSQL advisory lock, so one run at a time across workers).
 * Every run is tracked, so shutdown waits for all of them.
 */
export abstract class ReconcilingProcessor extends JobProcessor {
  protected abstract readonly logger: Logger;
  private interval?: NodeJS.Timeout;
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

  /** Declares the job scheduler, starts the floor interval and catches up at once. */
  protected async startReconciler(queue: Queue, scheduler: string, jobName: string, everyMs: number): Promise<void> {
    await queue.upsertJobScheduler(scheduler, { every: everyMs }, { name: jobName, opts: { removeOnComplete: 100, removeOnFail: 100 } });
    this.interval = setInterval(() => void this.floor(), everyMs);
    this.interval.unref();
    void this.floor();
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
    await super.onModuleDestroy();
    await Promise.all(this.running);
  }
}
