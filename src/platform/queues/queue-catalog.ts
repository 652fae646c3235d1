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
