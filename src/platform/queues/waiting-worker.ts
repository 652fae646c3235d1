import { Worker, type ConnectionOptions, type Processor, type WorkerOptions } from 'bullmq';
import { WORKER_REDIS_OPTIONS } from '../redis/redis-options.js';

/**
 * The connection a BullMQ worker needs (BullMQ's own advice): commands wait for Redis to come
 * back (`maxRetriesPerRequest: null`, the offline queue on) instead of failing at once.
 *
 * @nestjs/bullmq builds each `@Processor`'s worker with its queue's connection, and the queues
 * are registered with the producers' fail-fast one (`enableOfflineQueue: false`, so the API answers
 * 503 during an outage). With that connection a worker's fetch fails synchronously while Redis is
 * down, BullMQ does not count the error as a connection error, and its loop retries without a
 * pause: the process starves its own event loop (no HTTP, no shutdown) until Redis is back.
 */
export function workerConnection(connection: ConnectionOptions | undefined): ConnectionOptions | undefined {
  // An ioredis instance (has `duplicate`) is the caller's to configure; options are rewritten.
  if (!connection || typeof (connection as { duplicate?: unknown }).duplicate === 'function') return connection;
  return { ...(connection as object), ...WORKER_REDIS_OPTIONS } as ConnectionOptions;
}

/** The worker class @nestjs/bullmq builds processors with (`BullModule.workerClass`, set in app.module.ts). */
export class WaitingWorker<T = unknown, R = unknown, N extends string = string> extends Worker<T, R, N> {
  constructor(name: string, processor?: string | URL | null | Processor<T, R, N>, opts?: WorkerOptions) {
    super(name, processor, { ...opts, connection: workerConnection(opts?.connection) } as WorkerOptions);
  }
}
