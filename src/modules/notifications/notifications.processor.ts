import { InjectQueue, OnWorkerEvent, Processor } from '@nestjs/bullmq';
import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { JobProcessor, type JobHandler } from '../../platform/queues/job-processor.js';
import { NotificationDelivery } from './notification-delivery.js';
import {
  NOTIFICATION_SEND_JOB,
  NOTIFICATIONS_QUEUE,
  NOTIFICATIONS_RECONCILE_EVERY_MS,
  NOTIFICATIONS_RECONCILE_JOB,
  NOTIFICATIONS_RECONCILE_SCHEDULER,
  type NotificationSendJobData,
} from './notification-jobs.js';

/**
 * Sends mail (`notification.send`, one attempt per job) and re-enqueues what Redis may have lost
 * (`notifications.reconcile`, every minute and at start, with an in-process floor). Concurrency 1:
 * mail volume is small and messages then leave in the order they were written.
 */
@Processor(NOTIFICATIONS_QUEUE, { concurrency: 1 })
export class NotificationsProcessor extends JobProcessor implements OnApplicationBootstrap, OnModuleDestroy {
  readonly queue = NOTIFICATIONS_QUEUE;
  private readonly logger = new Logger(NotificationsProcessor.name);
  private interval?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly delivery: NotificationDelivery,
    @InjectQueue(NOTIFICATIONS_QUEUE) private readonly notifications: Queue,
  ) {
    super();
  }

  handlers(): Record<string, JobHandler> {
    return {
      [NOTIFICATION_SEND_JOB]: async (job: Job<NotificationSendJobData>) => ({ outcome: await this.delivery.deliver(job.data.notificationId) }),
      [NOTIFICATIONS_RECONCILE_JOB]: async () => this.track(this.delivery.reconcile()),
    };
  }

  /** Redis trouble (an outage, keys wiped under a running job) is logged; PostgreSQL keeps the truth. */
  @OnWorkerEvent('error')
  onWorkerError(err: Error): void {
    this.logger.warn(`queue worker: ${err.message}`);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.notifications.upsertJobScheduler(
      NOTIFICATIONS_RECONCILE_SCHEDULER,
      { every: NOTIFICATIONS_RECONCILE_EVERY_MS },
      { name: NOTIFICATIONS_RECONCILE_JOB, opts: { removeOnComplete: 100, removeOnFail: 100 } },
    );
    this.interval = setInterval(() => void this.floor(), NOTIFICATIONS_RECONCILE_EVERY_MS);
    this.interval.unref();
    void this.floor();
  }

  private async floor(): Promise<void> {
    try {
      await this.track(this.delivery.reconcile());
    } catch (err) {
      this.logger.warn(`notification reconciler run failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.running = p.catch(() => undefined);
    return p;
  }

  override async onModuleDestroy(): Promise<void> {
    if (this.interval) clearInterval(this.interval);
    await super.onModuleDestroy();
    await this.running;
  }
}
