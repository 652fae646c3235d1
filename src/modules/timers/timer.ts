import type { EntityManager } from 'typeorm';

export type TimerState = 'pending' | 'fired' | 'skipped' | 'cancelled' | 'failed';

/** A timer as handlers see it: ids and times only, never personal data. */
export interface Timer {
  id: string;
  kind: string;
  subjectType: string;
  subjectId: string;
  fireAt: Date;
  attempts: number;
  dedupeKey: string | null;
}

/**
 * What a timer kind does when it fires. Both run inside the transaction that locked the timer
 * row and marks it fired: whatever `fire` writes (notification rows, escalation levels, new
 * timers) commits together with "fired", so the effect happens exactly once. When `fire` runs,
 * its own row already says fired within that transaction (an effect that throws rolls it back).
 */
export interface TimerHandler {
  /** Does the obligation still stand (the action is still unacknowledged, …)? If not, the timer is skipped. */
  stillStands(manager: EntityManager, timer: Timer): Promise<boolean>;
  fire(manager: EntityManager, timer: Timer): Promise<void>;
}

export interface TimerRow {
  id: string;
  kind: string;
  subject_type: string;
  subject_id: string;
  fire_at: Date;
  next_run_at: Date;
  state: TimerState;
  attempts: number;
  dedupe_key: string | null;
}

export function toTimer(row: TimerRow): Timer {
  return {
    id: row.id,
    kind: row.kind,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    fireAt: new Date(row.fire_at),
    attempts: row.attempts,
    dedupeKey: row.dedupe_key,
  };
}
