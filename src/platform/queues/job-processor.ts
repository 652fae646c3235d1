import { WorkerHost } from '@nestjs/bullmq';
import { UnrecoverableError, type Job } from 'bullmq';
import { QUEUE_CATALOG, type QueueName } from './queue-catalog.js';

export type JobHandler = (job: Job) => Promise<unknown>;

/** A queue's processor: a handler per job name, checked against the catalogue at start. */
export abstract class JobProcessor extends WorkerHost {
  abstract readonly queue: QueueName;
  abstract handlers(): Record<string, JobHandler>;

  /**
   * Shutdown, first phase: stop taking jobs and let the running ones finish while the queues,
   * Redis, mail and the database they need are still open (those close in later phases).
   */
  async onModuleDestroy(): Promise<void> {
    let worker: { close(): Promise<void> } | undefined;
    try {
      worker = this.worker;
    } catch {
      return; // never started (a failed start-up)
    }
    await worker.close();
  }

  async process(job: Job): Promise<unknown> {
    const handler = this.handlers()[job.name];
    // Never retried: another attempt cannot grow a handler.
    if (!handler) throw new UnrecoverableError(`No handler for job ${job.name} on ${this.queue}`);
    return handler(job);
  }
}

export class JobCatalogError extends Error {
  override name = 'JobCatalogError';
}

/** Throws unless every catalogued job has exactly one handler and no handler is uncatalogued. */
export function assertJobCatalog(processors: JobProcessor[], catalog: Record<string, readonly string[]> = QUEUE_CATALOG): void {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  for (const p of processors) {
    for (const name of Object.keys(p.handlers())) {
      const key = `${p.queue}/${name}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      if (!catalog[p.queue]?.includes(name)) problems.push(`${key} has a handler but is not in the catalogue`);
    }
  }
  for (const [queue, names] of Object.entries(catalog)) {
    for (const name of names) {
      const n = seen.get(`${queue}/${name}`) ?? 0;
      if (n !== 1) problems.push(`${queue}/${name} has ${n} handlers, needs exactly one`);
    }
  }
  if (problems.length) throw new JobCatalogError(`The worker refuses to start:\n  - ${problems.join('\n  - ')}`);
}
