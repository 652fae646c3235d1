import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every time-based obligation as a row (ARCHITECTURE.md, "Time and reliability"). PostgreSQL is
 * the truth; BullMQ only wakes the worker up.
 */
export class Timers1763910000000 implements MigrationInterface {
  name = 'Timers1763910000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);
    await q.query(`
      CREATE TABLE timers (
        id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        kind          text        NOT NULL CHECK (kind ~ '^[a-z][a-z0-9-]*(\\.[a-z0-9-]+)*$'),
        subject_type  text        NOT NULL CHECK (subject_type ~ '^[a-z][a-z0-9_-]*$'),
        subject_id    uuid        NOT NULL,
        fire_at       timestamptz NOT NULL,
        -- when the next attempt is due: fire_at, or later after a failed attempt (backoff)
        next_run_at   timestamptz NOT NULL,
        state         text        NOT NULL DEFAULT 'pending'
                                  CHECK (state IN ('pending', 'fired', 'skipped', 'cancelled', 'failed')),
        attempts      integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        last_error    text,
        dedupe_key    text,
        fired_at      timestamptz,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        version       integer     NOT NULL DEFAULT 1,
        CHECK ((state IN ('fired', 'skipped')) = (fired_at IS NOT NULL))
      )`);
    // The reconciler: pending timers by due time (overdue ones, and the horizon to top up).
    await q.query(`CREATE INDEX timers_pending_next_run_idx ON timers (next_run_at) WHERE state = 'pending'`);
    // cancel / reschedule by subject (and kind).
    await q.query(`CREATE INDEX timers_subject_idx ON timers (subject_type, subject_id, kind) WHERE state = 'pending'`);
    // schedule(dedupeKey): at most one pending timer per key.
    await q.query(`CREATE UNIQUE INDEX timers_pending_dedupe_key_uq ON timers (dedupe_key) WHERE state = 'pending' AND dedupe_key IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE timers`);
  }
}
