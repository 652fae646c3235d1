import type { BackoffPolicy } from '../../platform/queues/backoff.js';
import { LOCK_KEYS } from '../../platform/database/lock-keys.js';

export const NOTIFICATIONS_QUEUE = 'notifications';
export const NOTIFICATION_SEND_JOB = 'notification.send';
export const NOTIFICATIONS_RECONCILE_JOB = 'notifications.reconcile';
export const NOTIFICATIONS_RECONCILE_SCHEDULER = 'notifications-reconcile';
export const NOTIFICATIONS_RECONCILE_EVERY_MS = 60 * 1000;
export const NOTIFICATIONS_RECONCILE_LOCK_KEY = LOCK_KEYS.notificationsReconcile;
/** Send jobs are kept in Redis only for messages due within this window. */
export const NOTIFICATION_HORIZON_MS = 2 * 60 * 60 * 1000;

/**
 * Retries: 30 s, 1 min, 2 min, … doubling to at most 1 h, half of each delay random; the 10th
 * failed attempt marks the message failed, between about 1.5 and 3 hours after the first.
 */
export const NOTIFICATION_RETRY: BackoffPolicy = { baseMs: 30_000, maxMs: 60 * 60_000, jitter: 0.5, maxAttempts: 10 };

export interface NotificationSendJobData {
  notificationId: string;
}

/**
 * The BullMQ id of a message's send job: one per attempt (the attempt count is in PostgreSQL), so
 * a retry never collides with the job BullMQ still keeps for the attempt before; no ':'.
 */
export function notificationSendJobId(notificationId: string, attempt: number): string {
  if (!/^[0-9a-f-]{36}$/i.test(notificationId)) throw new RangeError('notification ids are uuids');
  if (!Number.isInteger(attempt) || attempt < 0) throw new RangeError('attempt must be a non-negative integer');
  return `notification-${notificationId.toLowerCase()}-${attempt}`;
}

/** RFC 5322 Message-ID derived from the idempotency key: a duplicate after a crash is recognisable. */
export function messageIdFor(idempotencyKeyHash: string, publicUrl: string): string {
  return `<${idempotencyKeyHash.slice(0, 40)}@${new URL(publicUrl).hostname}>`;
}

/** SMTP answers in the 5xx range are permanent: retrying cannot help. */
export function isPermanentSmtpError(err: unknown): boolean {
  const code = (err as { responseCode?: unknown })?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}
