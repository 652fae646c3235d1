import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock.js';
import { afterCommit } from '../../platform/database/after-commit.js';
import { TimerEngine } from './timer-engine.js';
import { TimerHandlerRegistry } from './timer-handler.registry.js';

export interface ScheduleTimer {
  /** A kind from TIMER_KINDS, with a registered handler. */
  kind: string;
  /** What the obligation is about: `action`, `referral`, `conference`, … */
  subjectType: string;
  subjectId: string;
  fireAt: Date;
  /** At most one pending timer per key: scheduling again returns the pending one. */
  dedupeKey?: string;
}

export interface TimerSelector {
  /** Omitted: every kind of the subject. */
  kind?: string;
  subjectType: string;
  subjectId: string;
}

export interface RescheduleTimer extends TimerSelector {
  fireAt: Date;
}

/** TypeORM answers a raw UPDATE … RETURNING with `[rows, affected]`, an INSERT with `rows`. */
function returned<T>(result: unknown): T[] {
  return (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number' ? result[0] : result) as T[];
}

const SUBJECT_TYPE = /^[a-z][a-z0-9_-]*$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The door of the timers module. Every call takes the caller's `EntityManager`, so the timer row
 * commits or rolls back with the change that creates the obligation; wake-ups are enqueued in
 * Redis only after that transaction commits (and the reconciler covers a crash in between).
 *
 * ```ts
 * await dataSource.transaction(async (tx) => {
 *   await tx.query(`UPDATE actions …`);
 *   await timers.schedule(tx, { kind: 'action.due-reminder', subjectType: 'action', subjectId, fireAt });
 * });
 * ```
 */
@Injectable()
export class TimersService {
  constructor(
    private readonly clock: Clock,
    private readonly registry: TimerHandlerRegistry,
    private readonly engine: TimerEngine,
  ) {}

  /** Creates a pending timer (or returns the pending one with the same `dedupeKey`); returns its id. */
  async schedule(manager: EntityManager, t: ScheduleTimer): Promise<string> {
    this.check(t);
    if (Number.isNaN(t.fireAt?.getTime?.())) throw new RangeError('fireAt must be a valid Date');
    const inserted: Array<{ id: string; next_run_at: Date }> = await manager.query(
      `INSERT INTO timers (kind, subject_type, subject_id, fire_at, next_run_at, dedupe_key, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $4, $5, $6, $6)
       ON CONFLICT (dedupe_key) WHERE state = 'pending' AND dedupe_key IS NOT NULL DO NOTHING
       RETURNING id, next_run_at`,
      [t.kind, t.subjectType, t.subjectId, t.fireAt, t.dedupeKey ?? null, this.clock.now()],
    );
    if (!inserted.length) {
      const [existing]: Array<{ id: string }> = await manager.query(`SELECT id FROM timers WHERE dedupe_key = $1 AND state = 'pending'`, [t.dedupeKey]);
      if (existing) return existing.id;
      // The pending one fired or was cancelled between the two statements: schedule anew.
      return this.schedule(manager, t);
    }
    await afterCommit(manager, () => this.engine.enqueueWakeups(inserted));
    return inserted[0].id;
  }

  /**
   * Cancels the subject's pending timers (of one kind, of several `kinds`, or all) in one
   * statement. The rows say cancelled; a wake-up already in Redis finds that and does nothing
   * (and is removed when it can be). Returns how many were cancelled.
   */
  async cancel(manager: EntityManager, sel: TimerSelector & { kinds?: readonly string[] }): Promise<number> {
    this.checkSelector(sel);
    for (const kind of sel.kinds ?? []) this.checkSelector({ ...sel, kind });
    const kinds = sel.kinds ?? (sel.kind !== undefined ? [sel.kind] : null);
    const rows: Array<{ id: string; next_run_at: Date }> = returned(await manager.query(
      `UPDATE timers SET state = 'cancelled', updated_at = $4, version = version + 1
        WHERE state = 'pending' AND subject_type = $1 AND subject_id = $2 AND ($3::text[] IS NULL OR kind = ANY($3::text[]))
        RETURNING id, next_run_at`,
      [sel.subjectType, sel.subjectId, kinds, this.clock.now()],
    ));
    if (rows.length) await afterCommit(manager, () => this.engine.removeWakeups(rows));
    return rows.length;
  }

  /** Moves the subject's pending timers of one kind to `fireAt` (a due date changed). Returns how many moved. */
  async reschedule(manager: EntityManager, r: RescheduleTimer): Promise<number> {
    this.checkSelector(r);
    if (!r.kind) throw new TypeError('reschedule needs a kind');
    if (Number.isNaN(r.fireAt?.getTime?.())) throw new RangeError('fireAt must be a valid Date');
    const rows: Array<{ id: string; next_run_at: Date; old_next_run_at: Date }> = returned(await manager.query(
      `UPDATE timers t SET fire_at = $4, next_run_at = $4, attempts = 0, last_error = NULL, updated_at = $5, version = t.version + 1
         FROM (SELECT id, next_run_at FROM timers
                WHERE state = 'pending' AND subject_type = $1 AND subject_id = $2 AND kind = $3 FOR UPDATE) old
        WHERE t.id = old.id
        RETURNING t.id, t.next_run_at, old.next_run_at AS old_next_run_at`,
      [r.subjectType, r.subjectId, r.kind, r.fireAt, this.clock.now()],
    ));
    if (rows.length) {
      await afterCommit(manager, async () => {
        await this.engine.removeWakeups(rows.map((x) => ({ id: x.id, next_run_at: x.old_next_run_at })));
        await this.engine.enqueueWakeups(rows);
      });
    }
    return rows.length;
  }

  /**
   * The subjects (of `subjectType`, among `subjectIds`) that still have a pending timer of one of
   * `kinds` due at or before `dueBy`: a timer that gathers what others left (a digest) waits for them.
   */
  async pendingDue(manager: EntityManager, sel: { kinds: readonly string[]; subjectType: string; subjectIds: readonly string[]; dueBy: Date }): Promise<string[]> {
    if (sel.subjectIds.length === 0) return [];
    const rows: Array<{ subject_id: string }> = await manager.query(
      `SELECT DISTINCT subject_id FROM timers
        WHERE state = 'pending' AND kind = ANY($1::text[]) AND subject_type = $2 AND subject_id = ANY($3::uuid[]) AND fire_at <= $4`,
      [sel.kinds, sel.subjectType, sel.subjectIds, sel.dueBy],
    );
    return rows.map((r) => r.subject_id);
  }

  private check(t: ScheduleTimer): void {
    if (!t.kind) throw new TypeError('schedule needs a kind');
    this.checkSelector(t);
    if (t.dedupeKey !== undefined && (typeof t.dedupeKey !== 'string' || !t.dedupeKey.length || t.dedupeKey.length > 255)) {
      throw new TypeError('dedupeKey must be 1–255 characters');
    }
  }

  private checkSelector(sel: TimerSelector): void {
    if (sel.kind !== undefined && !this.registry.has(sel.kind)) throw new TypeError(`Unknown timer kind ${sel.kind}: add it to TIMER_KINDS and register a handler`);
    if (!SUBJECT_TYPE.test(sel.subjectType)) throw new TypeError('subjectType must be a lower-case word');
    if (!UUID.test(sel.subjectId)) throw new TypeError('subjectId must be a uuid');
  }
}
