import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The meeting itself (DOMAIN.md step 7), owned by src/modules/conferences: who attended and
 * acknowledged confidentiality, when the conference started and was concluded, each heard
 * item's outcome (risk level; the risk summary encrypted per row) and each deferred item's
 * reason (encrypted). Where a deferred case went is the agenda item whose `deferred_from`
 * points at it.
 */
export class ConferenceMeeting1763980000000 implements MigrationInterface {
  name = 'ConferenceMeeting1763980000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE conferences ADD COLUMN started_at timestamptz, ADD COLUMN concluded_at timestamptz`);

    await q.query(`
      CREATE TABLE conference_attendance (
        id                          uuid PRIMARY KEY,
        conference_id               uuid NOT NULL REFERENCES conferences (id),
        -- The order the entries were given in (the minutes list them so).
        position                    integer NOT NULL CHECK (position >= 0),
        agency_id                   uuid NOT NULL REFERENCES agencies (id),
        user_id                     uuid REFERENCES users (id),
        present                     boolean NOT NULL,
        confidentiality_acknowledged boolean NOT NULL,
        acknowledged_at             timestamptz,
        recorded_by                 uuid NOT NULL REFERENCES users (id),
        recorded_at                 timestamptz NOT NULL,
        -- Every attendee acknowledges confidentiality before any case is discussed.
        CHECK (NOT present OR confidentiality_acknowledged),
        CHECK (confidentiality_acknowledged = (acknowledged_at IS NOT NULL)),
        CONSTRAINT conference_attendance_position_uq UNIQUE (conference_id, position)
      )`);
    // One entry per agency and person (NULLS NOT DISTINCT: one entry per agency without a named person).
    await q.query(`CREATE UNIQUE INDEX conference_attendance_person_uq ON conference_attendance (conference_id, agency_id, user_id) NULLS NOT DISTINCT`);

    await q.query(`
      CREATE TABLE agenda_outcomes (
        item_id          uuid PRIMARY KEY REFERENCES agenda_items (id),
        risk_summary_enc bytea NOT NULL,
        risk_level       text NOT NULL CHECK (risk_level IN ('high', 'medium', 'standard')),
        recorded_by      uuid NOT NULL REFERENCES users (id),
        recorded_at      timestamptz NOT NULL
      )`);

    await q.query(`
      CREATE TABLE agenda_deferrals (
        item_id      uuid PRIMARY KEY REFERENCES agenda_items (id),
        reason_enc   bytea NOT NULL,
        recorded_by  uuid NOT NULL REFERENCES users (id),
        recorded_at  timestamptz NOT NULL
      )`);
    // Where a deferred item went (minutes) and a case's hearings.
    await q.query(`CREATE INDEX agenda_items_deferred_from_idx ON agenda_items (deferred_from) WHERE deferred_from IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX agenda_items_deferred_from_idx`);
    await q.query(`DROP TABLE agenda_deferrals`);
    await q.query(`DROP TABLE agenda_outcomes`);
    await q.query(`DROP TABLE conference_attendance`);
    await q.query(`ALTER TABLE conferences DROP COLUMN concluded_at, DROP COLUMN started_at`);
  }
}
