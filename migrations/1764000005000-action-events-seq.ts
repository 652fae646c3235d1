import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An action's history in order of writing: `seq` on `action_events`, and the history index on
 * (action_id, seq). Events of one instant (the test clock stands still, or one transaction writes
 * two) kept no order by (at, id).
 *
 * Written to hold on both histories of a database: one migrated with `1763990000000-actions` as it
 * first landed (no `seq`), and one migrated with the version that was later edited in place to
 * have it (that edit is undone; this migration replaces it). Existing rows of the first kind are
 * numbered by (at, id), the order their history was shown in until now.
 */
export class ActionEventsSeq1764000005000 implements MigrationInterface {
  name = 'ActionEventsSeq1764000005000';

  async up(q: QueryRunner): Promise<void> {
    const [{ present }] = await q.query(
      `SELECT EXISTS (SELECT 1 FROM information_schema.columns
                       WHERE table_schema = current_schema() AND table_name = 'action_events' AND column_name = 'seq') AS present`,
    );
    if (!present) {
      // Existing rows numbered in the order the history showed them until now, (at, id).
      await q.query(`ALTER TABLE action_events ADD COLUMN seq bigint`);
      await q.query(
        `UPDATE action_events e SET seq = o.n FROM (SELECT id, row_number() OVER (ORDER BY at, id) AS n FROM action_events) o WHERE o.id = e.id`,
      );
      await q.query(`ALTER TABLE action_events ALTER COLUMN seq SET NOT NULL`);
      await q.query(`ALTER TABLE action_events ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY`);
      await q.query(`SELECT setval(pg_get_serial_sequence('action_events', 'seq'), coalesce(max(seq), 0) + 1, false) FROM action_events`);
    }
    await q.query(`DROP INDEX IF EXISTS action_events_action_idx`);
    await q.query(`CREATE INDEX action_events_action_idx ON action_events (action_id, seq)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX action_events_action_idx`);
    await q.query(`CREATE INDEX action_events_action_idx ON action_events (action_id, at, id)`);
    await q.query(`ALTER TABLE action_events DROP COLUMN seq`);
  }
}
