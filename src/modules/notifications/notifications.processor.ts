import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { type JobHandler } from '../../platform/queues/job-processor.js';
import { ReconcilingProcessor } from '../../platform/queues/reconciling-processor.js';
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
export class NotificationsProcessor extends ReconcilingProcessor implements OnApplicationBootstrap {
  readonly queue = NOTIFICATIONS_QUEUE;
  protected readonly logger = new Logger(NotificationsProcessor.name);

  constructor(
    private readonly delivery: NotificationDelivery,
    @InjectQueue(NOTIFICATIONS_QUEUE) private readonly notifications: Queue,
  ) {
    super();
  }

  handlers(): Record<string, JobHandler> {
    return {
      [NOTIFICATION_SEND_JOB]: async (job: Job<NotificationSendJobData>) => ({ outcome: await this.delivery.deliver(job.data.notificationId) }),
      [NOTIFICATIONS_RECONCILE_JOB]: async () => this.runReconcile(this.reconcile()),
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.startReconciler(this.notifications, NOTIFICATIONS_RECONCILE_SCHEDULER, NOTIFICATIONS_RECONCILE_JOB, NOTIFICATIONS_RECONCILE_EVERY_MS);
  }

  protected reconcile() {
    return this.delivery.reconcile();
  }
}
