import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import { Counter, Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { Clock, TestClock } from '../../platform/clock/clock.js';
import { afterCommit } from '../../platform/database/after-commit.js';
import { withSessionLock } from '../../platform/database/advisory-lock.js';
import { isDatabaseUnavailable } from '../../platform/database/unavailable.js';
import { MailerService } from '../../platform/mail/mailer.service.js';
import { MetricsService } from '../../platform/metrics/metrics.service.js';
import { backoffDelay } from '../../platform/queues/backoff.js';
import type { NotificationRow } from './notification.js';
import {
  isPermanentSmtpError,
  NOTIFICATION_HORIZON_MS,
  NOTIFICATION_RETRY,
  NOTIFICATION_SEND_JOB,
  NOTIFICATIONS_QUEUE,
  NOTIFICATIONS_RECONCILE_LOCK_KEY,
  notificationSendJobId,
  type NotificationSendJobData,
} from './notification-jobs.js';
import { renderNotification, templateOf } from './templates/template-catalog.js';

/** How long a send's outcome waits for an unreachable database before it is given up (see untilDatabaseAnswers). */
const OUTCOME_RETRY_MS = 60_000;

export type DeliveryOutcome = 'sent' | 'retry' | 'failed' | 'not-due' | 'locked' | 'missing' | 'already-sent' | 'already-failed';

/** The failure as stored and logged: SMTP code and class, never the message's content. */
function describeSmtpError(err: unknown): string {
  // Duck-typed, not `instanceof Error`: a socket error is made by Node's own realm, which is not
  // the caller's inside a VM context (jest), and would be stored as a bare "Error".
  if (typeof err !== 'object' || err === null || typeof (err as { message?: unknown }).message !== 'string') return 'Error';
  const e = err as Error & { code?: unknown; responseCode?: unknown; command?: unknown };
  const parts = [typeof e.name === 'string' ? e.name : 'Error', typeof e.code === 'string' ? e.code : undefined, typeof e.responseCode === 'number' ? String(e.responseCode) : undefined];
  const response = (e as { response?: unknown }).response;
  const detail = typeof response === 'string' ? response : e.message;
  // SMTP replies quote addresses now and then ("<x@y>: mailbox unavailable"): strip them.
  return `${parts.filter(Boolean).join(' ')}: ${detail.replace(/<?[^\s<>@]+@[^\s<>@]+>?/g, '<address>')}`.slice(0, 300);
}

/**
 * Sends outbox rows: one `notification.send` job per attempt, the attempt count and the next
 * attempt's time kept in PostgreSQL. The row is locked while its mail is sent and marked sent
 * in the same transaction, so two deliveries of the job send once; a crash after SMTP accepted
 * and before COMMIT may send twice (SMTP is at-least-once), with the same Message-ID.
 */
@Injectable()
export class NotificationDelivery implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(NotificationDelivery.name);
  private readonly attemptsCounter: Counter;
  private destroyed = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(NOTIFICATIONS_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly mailer: MailerService,
    metrics: MetricsService,
  ) {
    this.attemptsCounter = new Counter({
      name: 'marak_notification_attempts_total',
      help: 'Send attempts by outcome: sent, retry (will be tried again), failed (gave up)',
      labelNames: ['kind', 'outcome'] as const,
      registers: [metrics.registry],
    });
    const database = this.db;
    new Gauge({
      name: 'marak_notifications',
      help: 'Outbox messages waiting to be sent (pending) and given up on (failed)',
      labelNames: ['status'] as const,
      registers: [metrics.registry],
      async collect() {
        try {
          const [row] = await database.query(
            `SELECT (SELECT count(*) FROM notifications WHERE state = 'pending')::int AS pending,
                    (SELECT count(*) FROM notifications WHERE state = 'failed')::int AS failed`,
          );
          this.set({ status: 'pending' }, row.pending);
          this.set({ status: 'failed' }, row.failed);
        } catch {
          // database down: the health endpoint says so
        }
      },
    });
  }

  onModuleInit(): void {
    // Moving the test clock makes retries that have come due run now rather than in real time.
    if (this.clock instanceof TestClock) {
      this.clock.onMoved(async () => {
        if (!this.destroyed) await this.reconcile({ wait: true });
      });
    }
  }

  onModuleDestroy(): void {
    this.destroyed = true;
  }

  /**
   * One send attempt, in three steps so that no transaction is open while SMTP talks:
   * 1. claim the attempt (attempts + 1, next attempt pushed back by the backoff) and commit;
   * 2. send;
   * 3. record the outcome. A crash or a database failure after SMTP accepted leaves the claim
   *    committed, so the message is tried again at most once per attempt, bounded by maxAttempts.
   */
  async deliver(notificationId: string): Promise<DeliveryOutcome> {
    let kind = 'unknown';
    const claim = await this.db.transaction(async (tx) => {
      const [row]: NotificationRow[] = await tx.query(`SELECT * FROM notifications WHERE id = $1 FOR UPDATE SKIP LOCKED`, [notificationId]);
      if (!row) {
        const [exists] = await tx.query(`SELECT 1 FROM notifications WHERE id = $1`, [notificationId]);
        return { outcome: (exists ? 'locked' : 'missing') as DeliveryOutcome };
      }
      kind = row.kind;
      if (row.state === 'sent') return { outcome: 'already-sent' as const };
      if (row.state === 'failed') return { outcome: 'already-failed' as const };
      const now = this.clock.now();
      if (new Date(row.next_attempt_at).getTime() > now.getTime()) return { outcome: 'not-due' as const };
      const attempts = row.attempts + 1;
      const next = new Date(now.getTime() + backoffDelay(attempts, NOTIFICATION_RETRY));
      await tx.query(`UPDATE notifications SET attempts = $2, next_attempt_at = $3, updated_at = $4, version = version + 1 WHERE id = $1`, [row.id, attempts, next, now]);
      return { outcome: 'claimed' as const, row, attempts, next, now };
    });
    if (claim.outcome !== 'claimed') return claim.outcome;
    const { row, attempts, next, now } = claim;

    let error: string | undefined;
    let permanent = false;
    try {
      const template = templateOf(row.kind, { includeTestOnly: this.config.testClock });
      if (!template) throw Object.assign(new Error(`No template for notification kind ${row.kind}`), { responseCode: 550 });
      const mail = renderNotification(template, row.locale, row.params, { publicUrl: this.config.publicUrl });
      await this.mailer.send({ to: row.recipient, subject: mail.subject, text: mail.text, html: mail.html, messageId: row.message_id, attachments: mail.attachments });
    } catch (err) {
      error = describeSmtpError(err);
      permanent = isPermanentSmtpError(err);
    }

    const outcome = await this.untilDatabaseAnswers(() => this.db.transaction(async (tx) => {
      if (error === undefined) {
        await tx.query(
          `UPDATE notifications SET state = 'sent', sent_at = $2, last_error = NULL, updated_at = $2, version = version + 1 WHERE id = $1 AND state = 'pending'`,
          [row.id, now],
        );
        return 'sent' as const;
      }
      if (permanent || attempts >= NOTIFICATION_RETRY.maxAttempts) {
        await tx.query(
          `UPDATE notifications SET state = 'failed', failed_at = $2, last_error = $3, updated_at = $2, version = version + 1 WHERE id = $1 AND state = 'pending'`,
          [row.id, now, error],
        );
        this.logger.error(`notification ${row.id} (${row.kind}) failed after ${attempts} attempt(s), giving up: ${error}`);
        return 'failed' as const;
      }
      await tx.query(`UPDATE notifications SET last_error = $2, updated_at = $3, version = version + 1 WHERE id = $1`, [row.id, error, now]);
      await afterCommit(tx, () => this.enqueueSends([{ id: row.id, attempts, next_attempt_at: next }]));
      this.logger.warn(`notification ${row.id} (${row.kind}) attempt ${attempts} failed, retrying at ${next.toISOString()}: ${error}`);
      return 'retry' as const;
    }));
    this.attemptsCounter.inc({ kind, outcome });
    return outcome;
  }

  /**
   * Step 3 must reach PostgreSQL: SMTP has already answered, and only this process knows what it
   * said. While the database is unreachable (restarting, failing over) the outcome is retried
   * every second or two, up to OUTCOME_RETRY_MS, rather than dropped, which would leave the row
   * pending and send the mail again after the outage. Other errors, and an outage longer than
   * that, propagate: the row stays pending and SMTP's at-least-once applies.
   */
  private async untilDatabaseAnswers<T>(write: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + OUTCOME_RETRY_MS;
    for (let wait = 250; ; wait = Math.min(wait * 2, 2000)) {
      try {
        return await write();
      } catch (err) {
        if (!isDatabaseUnavailable(err) || Date.now() + wait > deadline) throw err;
        this.logger.warn(`database unavailable: a send outcome waits to be recorded (next try in ${wait} ms)`);
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  /** Adds each message's send job for its next attempt (delayed until it is due). BullMQ ignores an id it still keeps. */
  async enqueueSends(rows: Array<{ id: string; attempts: number; next_attempt_at: Date }>): Promise<void> {
    const now = this.clock.now();
    const jobs = rows.map((r) => ({
      name: NOTIFICATION_SEND_JOB,
      data: { notificationId: r.id } satisfies NotificationSendJobData,
      opts: {
        jobId: notificationSendJobId(r.id, r.attempts),
        delay: Math.max(0, new Date(r.next_attempt_at).getTime() - now.getTime()),
        removeOnComplete: true,
        removeOnFail: true,
      },
    }));
    for (let i = 0; i < jobs.length; i += 500) await this.queue.addBulk(jobs.slice(i, i + 500));
  }

  /**
   * Re-enqueues every pending message due within the horizon (Redis may have lost them) and
   * makes the ones already due run now (a send job may still wait for a retry delay the test
   * clock has jumped over). One run at a time across workers, by advisory lock.
   */
  async reconcile({ wait = false }: { wait?: boolean } = {}): Promise<{ ran: boolean; enqueued: number; promoted: number }> {
    const result = { ran: false, enqueued: 0, promoted: 0 };
    await withSessionLock(this.db, NOTIFICATIONS_RECONCILE_LOCK_KEY, { wait }, async () => {
      result.ran = true;
      const now = this.clock.now();
      const rows: Array<{ id: string; attempts: number; next_attempt_at: Date }> = await this.db.query(
        `SELECT id, attempts, next_attempt_at FROM notifications WHERE state = 'pending' AND next_attempt_at <= $1
          ORDER BY next_attempt_at, created_at, id LIMIT 5000`,
        [new Date(now.getTime() + NOTIFICATION_HORIZON_MS)],
      );
      try {
        await this.enqueueSends(rows);
        result.enqueued = rows.length;
        for (const r of rows) {
          if (new Date(r.next_attempt_at).getTime() > now.getTime()) continue;
          const job = await this.queue.getJob(notificationSendJobId(r.id, r.attempts));
          if (job && (await job.isDelayed())) {
            await job.promote().catch(() => undefined); // it may have started meanwhile
            result.promoted++;
          }
        }
      } catch (err) {
        // Redis is down: nothing is lost, the rows wait in PostgreSQL for the next run.
        this.logger.warn(`could not re-enqueue notifications: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
    return result;
  }
}
