import { LOCK_KEYS } from '../../platform/database/lock-keys.js';

/** Queue and job names of the timers module (see src/platform/queues/queue-catalog.ts). */
export const TIMERS_QUEUE = 'timers';
export const TIMER_FIRE_JOB = 'timer.fire';
export const TIMERS_RECONCILE_JOB = 'timers.reconcile';
export const TIMERS_RECONCILE_SCHEDULER = 'timers-reconcile';

/** Wake-ups are enqueued only for timers due within this window: Redis holds two days, not a year. */
export const TIMER_HORIZON_MS = 48 * 60 * 60 * 1000;
export const RECONCILE_EVERY_MS = 60 * 1000;
/** The reconciler tops up the horizon's wake-ups this many timers at a time (all of them, page by page). */
export const TIMER_TOP_UP_PAGE = 1000;
/** pg_advisory_lock key of the timer reconciler (one run at a time across all workers). */
export const TIMER_RECONCILE_LOCK_KEY = LOCK_KEYS.timerReconcile;

/** A wake-up job carries the timer id and nothing else. */
export interface TimerFireJobData {
  timerId: string;
}

/**
 * The BullMQ job id of a timer's wake-up: derived from the timer id and the instant it is due,
 * so re-adding it (reconciler, retries) is a no-op while BullMQ still keeps it, and a
 * rescheduled timer gets a new one. BullMQ ids may not contain ':' (its key separator) and may
 * not be plain integers.
 *
 * Compact, because Redis holds the id three times per wake-up (the job's key, the delayed set's
 * member, the job's opts): `t`, the uuid's 16 bytes in base64url (22 characters, fixed length),
 * then the due instant's epoch milliseconds in base 36; 31 characters instead of the 56 of
 * `timer-<uuid>-<ms>`: 995 → 915 bytes of Redis per wake-up (bench/RESULTS.md, the timers benchmark).
 */
export function timerWakeJobId(timerId: string, dueAt: Date): string {
  const ms = dueAt.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('invalid due time');
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(timerId)) throw new RangeError('timer ids are uuids');
  return `t${Buffer.from(timerId.replace(/-/g, ''), 'hex').toString('base64url')}${ms.toString(36)}`;
}

/** Whether a job id is a timer's wake-up (timerWakeJobId), not the reconcile scheduler's or another job's. */
export function isTimerWakeJobId(id: string | undefined): boolean {
  return id !== undefined && /^t[A-Za-z0-9_-]{22}-?[0-9a-z]+$/.test(id);
}

/** Delay of a wake-up job: real milliseconds from "now" to when the timer is due, never negative. */
export function wakeDelay(dueAt: Date, now: Date): number {
  return Math.max(0, dueAt.getTime() - now.getTime());
}
