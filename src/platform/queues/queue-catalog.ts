/**
 * Every queue and every job name the system uses. The worker refuses to start unless each job
 * name has exactly one handler, so a job can never sit in Redis with nobody to run it.
 * Queue names and job ids may not contain ':' (BullMQ uses it as its key separator).
 */
export const QUEUE_CATALOG = {
  maintenance: ['idempotency.purge'],
  audit: ['audit.export-head'],
  timers: ['timer.fire', 'timers.reconcile'],
  notifications: ['notification.send', 'notifications.reconcile'],
  retention: ['retention.run'],
} as const;

export type QueueName = keyof typeof QUEUE_CATALOG;
export const QUEUE_NAMES = Object.keys(QUEUE_CATALOG) as QueueName[];

/**
 * Entries BullMQ keeps in each queue's events stream (approximately; its default is 10,000, about
 * 0.9 MB a busy queue holds whatever its jobs). Nothing in the product reads the stream (tests
 * listen with QueueEvents as events arrive), so a short one is enough.
 */
export const QUEUE_EVENTS_MAX_LEN = 1000;
