import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { DataSource } from 'typeorm';
import { Clock, TestClock } from '../../platform/clock/clock.js';
import { withSessionLock } from '../../platform/database/advisory-lock.js';
import { MetricsService } from '../../platform/metrics/metrics.service.js';
import { backoffDelay, type BackoffPolicy } from '../../platform/queues/backoff.js';
import { toTimer, type TimerRow } from './timer.js';
import { TimerHandlerRegistry } from './timer-handler.registry.js';
import {
  TIMER_FIRE_JOB,
  TIMER_HORIZON_MS,
  TIMER_RECONCILE_LOCK_KEY,
  TIMER_TOP_UP_PAGE,
  TIMERS_QUEUE,
  timerWakeJobId,
  wakeDelay,
  type TimerFireJobData,
} from './timer-jobs.js';

/** A handler that throws is retried (the row stays pending, `next_run_at` moves on), then marked failed. */
export const TIMER_RETRY: BackoffPolicy = { baseMs: 60_000, maxMs: 60 * 60_000, jitter: 0.5, maxAttempts: 10 };

export type FireOutcome = 'fired' | 'skipped' | 'not-due' | 'locked' | 'missing' | 'cancelled' | 'failed' | 'error' | 'already-fired';

export interface ReconcileResult {
  ran: boolean;
  fired: number;
  skipped: number;
  errors: number;
  wakeupsEnqueued: number;
}

const COLUMNS = 'id, kind, subject_type, subject_id, fire_at, next_run_at, state, attempts, dedupe_key';
const BATCH = 200;

/** A short description of an error for the row: its class and code, never a value it quotes. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return 'Error';
  const code = (err as { code?: unknown }).code;
  return `${err.name}${typeof code === 'string' ? ` ${code}` : ''}: ${err.message}`.slice(0, 300);
}

/**
 * Fires timers and keeps Redis's wake-ups in step with PostgreSQL. Used by the wake-up
 * processor (one timer), the reconciler (every due timer, then the horizon) and the test clock.
 */
@Injectable()
export class TimerEngine implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(TimerEngine.name);
  private readonly lateness: Histogram;
  private readonly outcomes: Counter;
  private destroyed = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(TIMERS_QUEUE) private readonly queue: Queue,
    private readonly clock: Clock,
    private readonly registry: TimerHandlerRegistry,
    metrics: MetricsService,
  ) {
    this.lateness = new Histogram({
      name: 'marak_timer_lateness_seconds',
      help: 'How late timers fire: fired_at − fire_at',
      labelNames: ['kind'] as const,
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 6 * 3600, 86_400],
      registers: [metrics.registry],
    });
    this.outcomes = new Counter({
      name: 'marak_timer_runs_total',
      help: 'Timer runs by kind and outcome (fired, skipped, error, failed)',
      labelNames: ['kind', 'outcome'] as const,
      registers: [metrics.registry],
    });
    const database = this.db;
    const clockRef = this.clock;
    new Gauge({
      name: 'marak_timers_pending',
      help: 'Pending timers, and of them those overdue by more than five minutes',
      labelNames: ['due'] as const,
      registers: [metrics.registry],
      async collect() {
        try {
          const [row] = await database.query(
            `SELECT count(*)::int AS pending, count(*) FILTER (WHERE next_run_at < $1)::int AS overdue FROM timers WHERE state = 'pending'`,
            [new Date(clockRef.now().getTime() - 5 * 60_000)],
          );
          this.set({ due: 'any' }, row.pending);
          this.set({ due: 'overdue' }, row.overdue);
        } catch {
          // database down: the health endpoint says so
        }
      },
    });
    new Gauge({
      name: 'marak_timers_failed',
      help: 'Timers whose handler kept failing (need an operator)',
      registers: [metrics.registry],
      async collect() {
        try {
          const [row] = await database.query(`SELECT count(*)::int AS n FROM timers WHERE state = 'failed'`);
          this.set(row.n);
        } catch {
          // database down
        }
      },
    });
  }

  onModuleInit(): void {
    // With the test clock, moving time runs the reconciler before POST /test/clock answers.
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
   * Fires one timer, exactly once: the row is locked (`FOR UPDATE SKIP LOCKED`: a second
   * delivery or a racing worker finds it locked and leaves), re-checked (still pending, due
   * by the clock, obligation still standing), its effect done and the row marked fired in one
   * transaction. A worker dying half way rolls everything back; the reconciler fires it again.
   */
  async fire(timerId: string): Promise<FireOutcome> {
    let kind = 'unknown';
    let fireAt: Date | undefined;
    try {
      const outcome = await this.db.transaction(async (tx): Promise<FireOutcome> => {
        const [row]: TimerRow[] = await tx.query(`SELECT ${COLUMNS} FROM timers WHERE id = $1 FOR UPDATE SKIP LOCKED`, [timerId]);
        if (!row) {
          const [exists] = await tx.query(`SELECT 1 FROM timers WHERE id = $1`, [timerId]);
          return exists ? 'locked' : 'missing';
        }
        kind = row.kind;
        if (row.state === 'fired') return 'already-fired';
        if (row.state !== 'pending') return row.state === 'skipped' ? 'skipped' : row.state;
        const now = this.clock.now();
        // BullMQ delays run on real time; the clock decides. An early wake-up does nothing
        // and the reconciler fires the timer when it is due.
        if (new Date(row.next_run_at).getTime() > now.getTime()) return 'not-due';
        const handler = this.registry.get(row.kind);
        if (!handler) throw new Error(`No handler for timer kind ${row.kind}`);
        const timer = toTimer(row);
        fireAt = timer.fireAt;
        const stands = await handler.stillStands(tx, timer);
        // The row is marked before the effect runs (the same transaction: an effect that throws
        // rolls the mark back too), so the effect's last statements, which may hold a lock others
        // wait for (the audit chain's), are followed by COMMIT and nothing else.
        await tx.query(
          `UPDATE timers SET state = $2, fired_at = $3, updated_at = $3, version = version + 1 WHERE id = $1`,
          [timerId, stands ? 'fired' : 'skipped', now],
        );
        if (stands) await handler.fire(tx, timer);
        return stands ? 'fired' : 'skipped';
      });
      if (outcome === 'fired' && fireAt) this.lateness.observe({ kind }, Math.max(0, (this.clock.now().getTime() - fireAt.getTime()) / 1000));
      if (outcome === 'fired' || outcome === 'skipped') this.outcomes.inc({ kind, outcome });
      return outcome;
    } catch (err) {
      return this.recordFailure(timerId, kind, err);
    }
  }

  /** The effect failed and rolled back: count the attempt, retry later, or give up after the last. */
  private async recordFailure(timerId: string, kind: string, err: unknown): Promise<FireOutcome> {
    const now = this.clock.now();
    const row = await this.db.transaction(async (tx) => {
      const [current]: Array<{ attempts: number }> = await tx.query(`SELECT attempts FROM timers WHERE id = $1 AND state = 'pending' FOR UPDATE`, [timerId]);
      if (!current) return undefined;
      const attempts = current.attempts + 1;
      const failed = attempts >= TIMER_RETRY.maxAttempts;
      const nextRunAt = new Date(now.getTime() + backoffDelay(attempts, TIMER_RETRY));
      await tx.query(
        `UPDATE timers SET attempts = $2, last_error = $3, updated_at = $4, version = version + 1,
                state = CASE WHEN $5 THEN 'failed' ELSE state END,
                next_run_at = CASE WHEN $5 THEN next_run_at ELSE $6 END
          WHERE id = $1`,
        [timerId, attempts, describeError(err), now, failed, nextRunAt],
      );
      return { attempts, failed, nextRunAt };
    });
    if (!row) return 'error';
    const outcome = row.failed ? 'failed' : 'error';
    this.outcomes.inc({ kind, outcome });
    this.logger.error(`timer ${timerId} (${kind}) attempt ${row.attempts} failed${row.failed ? ', giving up' : ''}: ${describeError(err)}`);
    if (!row.failed) await this.enqueueWakeups([{ id: timerId, next_run_at: row.nextRunAt }]).catch(() => undefined);
    return outcome;
  }

  /** Adds a delayed wake-up per timer due within the horizon. BullMQ ignores an id it still keeps. */
  async enqueueWakeups(rows: Array<{ id: string; next_run_at: Date }>): Promise<number> {
    const now = this.clock.now();
    const horizon = now.getTime() + TIMER_HORIZON_MS;
    const jobs = rows
      .filter((r) => new Date(r.next_run_at).getTime() <= horizon)
      .map((r) => ({
        name: TIMER_FIRE_JOB,
        data: { timerId: r.id } satisfies TimerFireJobData,
        opts: {
          jobId: timerWakeJobId(r.id, new Date(r.next_run_at)),
          delay: wakeDelay(new Date(r.next_run_at), now),
          removeOnComplete: true,
          removeOnFail: true,
        },
      }));
    for (let i = 0; i < jobs.length; i += 500) await this.queue.addBulk(jobs.slice(i, i + 500));
    return jobs.length;
  }

  /** Removes wake-ups that no longer mean anything (cancelled or rescheduled). Best effort. */
  async removeWakeups(rows: Array<{ id: string; next_run_at: Date }>): Promise<void> {
    for (const r of rows) {
      await this.queue.remove(timerWakeJobId(r.id, new Date(r.next_run_at))).catch(() => 0); // an active job is left to find the row changed
    }
  }

  /**
   * Fires every pending timer whose time has passed, oldest first, then tops up the horizon's
   * wake-ups. One run at a time across all workers (PostgreSQL advisory lock): `wait: false`
   * (scheduled runs) skips when another run holds it, `wait: true` (test clock, on demand) waits.
   */
  async reconcile({ wait = false }: { wait?: boolean } = {}): Promise<ReconcileResult> {
    const result: ReconcileResult = { ran: false, fired: 0, skipped: 0, errors: 0, wakeupsEnqueued: 0 };
    await withSessionLock(this.db, TIMER_RECONCILE_LOCK_KEY, { wait }, async () => {
      result.ran = true;
      // Keyset paging: rows another worker holds (SKIP LOCKED in fire) never stall the pages after them.
      let after: { at: Date; id: string } = { at: new Date(0), id: '00000000-0000-0000-0000-000000000000' };
      const lockedElsewhere: string[] = [];
      for (;;) {
        const due: Array<{ id: string; next_run_at: Date }> = await this.db.query(
          `SELECT id, next_run_at FROM timers WHERE state = 'pending' AND next_run_at <= $1 AND (next_run_at, id) > ($2, $3::uuid)
            ORDER BY next_run_at, id LIMIT ${BATCH}`,
          [this.clock.now(), after.at, after.id],
        );
        if (!due.length) break;
        for (const { id, next_run_at } of due) {
          after = { at: next_run_at, id };
          const outcome = await this.fire(id);
          if (outcome === 'fired') result.fired++;
          else if (outcome === 'skipped') result.skipped++;
          else if (outcome === 'error' || outcome === 'failed') result.errors++;
          else if (outcome === 'locked') lockedElsewhere.push(id);
        }
      }
      if (wait) {
        // On demand (the test clock): wait for the holder of each locked row to finish, then make
        // sure the timer is done, so "run everything that is due" holds when this returns.
        for (const id of lockedElsewhere) {
          for (let attempt = 0; attempt < 3; attempt++) {
            await this.db.transaction((tx) => tx.query(`SELECT 1 FROM timers WHERE id = $1 FOR UPDATE`, [id]));
            const outcome = await this.fire(id);
            if (outcome === 'fired') result.fired++;
            if (outcome !== 'locked') break;
          }
        }
      }
      try {
        result.wakeupsEnqueued = await this.topUpHorizon();
      } catch (err) {
        // Redis is down: due timers still fired above; wake-ups are topped up on the next run.
        this.logger.warn(`could not top up timer wake-ups: ${describeError(err)}`);
      }
    });
    return result;
  }

  /**
   * A wake-up for every pending timer within the horizon, page by page (keyset on due time and
   * id): however many fall within it, none is left without one (a single capped query left the
   * later ones out for as long as the earlier ones were pending, and after a flush for good).
   */
  private async topUpHorizon(): Promise<number> {
    const horizon = new Date(this.clock.now().getTime() + TIMER_HORIZON_MS);
    // The cursor keeps the column's microseconds (a Date would round them off and repeat a row).
    let after = { at: '-infinity', id: '00000000-0000-0000-0000-000000000000' };
    let enqueued = 0;
    for (;;) {
      const page: Array<{ id: string; next_run_at: Date; cursor: string }> = await this.db.query(
        `SELECT id, next_run_at, next_run_at::text AS cursor FROM timers
          WHERE state = 'pending' AND next_run_at <= $1 AND (next_run_at, id) > ($2::timestamptz, $3::uuid)
          ORDER BY next_run_at, id LIMIT ${TIMER_TOP_UP_PAGE}`,
        [horizon, after.at, after.id],
      );
      if (!page.length) break;
      enqueued += await this.enqueueWakeups(page);
      const last = page[page.length - 1]!;
      after = { at: last.cursor, id: last.id };
      if (page.length < TIMER_TOP_UP_PAGE) break;
    }
    return enqueued;
  }
}
