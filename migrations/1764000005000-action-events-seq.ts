import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An action's history in order of writing: `seq` on `action_events`, and the history index on
 * (action_id, seq). Events of one instant (the test clock stands still, or one transaction writes
 * two) kept no order by (at, id).
 *
 * Written to hold on both histories of a database: one migrated with `1763990000000-actions` as it
 * first landed (no `seq`), and one migrated with the version that was later edited in place to
 * have it (that edit is undone; this migration replaces it). Existing rows get their `seq` in the
 * table's physical order, which for an append-only history is the order they were written.
 */
export class ActionEventsSeq1764000005000 implements MigrationInterface {
  name = 'ActionEventsSeq1764000005000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE action_events ADD COLUMN IF NOT EXISTS seq bigint GENERATED ALWAYS AS IDENTITY`);
    await q.query(`DROP INDEX IF EXISTS action_events_action_idx`);
    await q.query(`CREATE INDEX action_events_action_idx ON action_events (action_id, seq)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX action_events_action_idx`);
    await q.query(`CREATE INDEX action_events_action_idx ON action_events (action_id, at, id)`);
    await q.query(`ALTER TABLE action_events DROP COLUMN seq`);
  }
}
