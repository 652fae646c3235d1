import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Agency actions agreed at a conference (DOMAIN.md steps 8–10) and their history. Owned by
 * src/modules/actions. Free text (description, outcome, reasons) is encrypted per row with
 * field-crypto; everything a list, a ladder or a statistic needs is plain.
 */
export class Actions1763990000000 implements MigrationInterface {
  name = 'Actions1763990000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE actions (
        id               uuid PRIMARY KEY,
        case_id          uuid NOT NULL REFERENCES cases (id),
        group_id         uuid NOT NULL REFERENCES groups (id),
        agency_id        uuid NOT NULL REFERENCES agencies (id),
        -- Where it was agreed (null for an action added outside a conference).
        conference_id    uuid REFERENCES conferences (id),
        agenda_item_id   uuid REFERENCES agenda_items (id),
        description_enc  bytea NOT NULL,
        -- A Helsinki calendar date, already moved to a working day (the Finnish deadline rule).
        due_date         date NOT NULL,
        status           text NOT NULL DEFAULT 'assigned'
                         CHECK (status IN ('assigned', 'acknowledged', 'completed', 'declined', 'not_possible', 'cancelled')),
        assigned_at      timestamptz NOT NULL,
        acknowledged_at  timestamptz,
        completed_at     timestamptz,
        -- When it reached completed, not_possible or cancelled.
        closed_at        timestamptz,
        outcome_enc      bytea,
        -- The reason of the latest decline, not-possible or cancellation.
        reason_enc       bytea,
        -- The highest rung of the ladder reached: 0 none, 1 the agency reminded or told it is overdue,
        -- 2 the coordinator, 3 the chair. Back to 0 on reassignment or a new due date.
        escalation_level smallint NOT NULL DEFAULT 0 CHECK (escalation_level BETWEEN 0 AND 3),
        created_by       uuid REFERENCES users (id),
        version          integer NOT NULL DEFAULT 1,
        created_at       timestamptz NOT NULL,
        updated_at       timestamptz NOT NULL,
        CHECK ((status IN ('completed', 'not_possible', 'cancelled')) = (closed_at IS NOT NULL)),
        CHECK ((status = 'completed') = (completed_at IS NOT NULL))
      )`);
    // The agency inbox: its actions by due date (keyset on due_date, id).
    await q.query(`CREATE INDEX actions_agency_due_idx ON actions (agency_id, due_date, id)`);
    await q.query(`CREATE INDEX actions_group_due_idx ON actions (group_id, due_date, id)`);
    await q.query(`CREATE INDEX actions_case_idx ON actions (case_id)`);
    await q.query(`CREATE INDEX actions_agenda_item_idx ON actions (agenda_item_id) WHERE agenda_item_id IS NOT NULL`);
    // Open actions (the overdue checks and the case's auto-closure).
    await q.query(`CREATE INDEX actions_open_idx ON actions (group_id, due_date) WHERE status IN ('assigned', 'acknowledged', 'declined')`);

    await q.query(`
      CREATE TABLE action_events (
        id           uuid PRIMARY KEY,
        action_id    uuid NOT NULL REFERENCES actions (id),
        at           timestamptz NOT NULL,
        -- null: the system (a reminder or an escalation of the ladder).
        actor_id     uuid REFERENCES users (id),
        event        text NOT NULL CHECK (char_length(event) BETWEEN 1 AND 60),
        from_status  text,
        to_status    text,
        -- Ids, dates, levels and kinds only; never free text.
        details      jsonb NOT NULL DEFAULT '{}',
        reason_enc   bytea
      )`);
    await q.query(`CREATE INDEX action_events_action_idx ON action_events (action_id, at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE action_events`);
    await q.query(`DROP TABLE actions`);
  }
}
