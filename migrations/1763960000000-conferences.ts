import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Conferences (MARAK meetings) and their agendas. Owned by src/modules/conferences; other
 * modules reach them through ConferencesService (placeCase, nextFor).
 */
export class Conferences1763960000000 implements MigrationInterface {
  name = 'Conferences1763960000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE conferences (
        id               uuid PRIMARY KEY,
        group_id         uuid NOT NULL REFERENCES groups (id),
        starts_at        timestamptz NOT NULL,
        ends_at          timestamptz NOT NULL,
        -- The Helsinki calendar date of starts_at (one regular conference per group and day).
        meeting_date     date NOT NULL,
        -- Referrals accepted before this instant may be placed here automatically (see conference-schedule.ts).
        cutoff_at        timestamptz NOT NULL,
        -- Taken from the group's settings when the conference is created, so a published
        -- agenda's room and slot times never move when the settings change later.
        capacity         integer NOT NULL CHECK (capacity BETWEEN 1 AND 50),
        minutes_per_case integer NOT NULL CHECK (minutes_per_case BETWEEN 1 AND 240),
        location         text CHECK (char_length(location) BETWEEN 1 AND 200),
        extraordinary    boolean NOT NULL DEFAULT false,
        origin           text NOT NULL CHECK (origin IN ('scheduled', 'cadence')),
        status           text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'agenda_published', 'in_session', 'concluded')),
        version          integer NOT NULL DEFAULT 1,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        CHECK (ends_at > starts_at),
        CHECK (cutoff_at <= starts_at),
        CONSTRAINT conferences_group_starts_uq UNIQUE (group_id, starts_at)
      )`);
    // Generating from the cadence twice creates nothing new: at most one regular conference per
    // group and Helsinki day (extraordinary ones are exempt; the starts_at key still holds).
    await q.query(`CREATE UNIQUE INDEX conferences_group_regular_day_uq ON conferences (group_id, meeting_date) WHERE NOT extraordinary`);
    // placeCase / nextFor: the group's open regular conferences by cut-off.
    await q.query(`
      CREATE INDEX conferences_open_idx ON conferences (group_id, starts_at)
       WHERE status IN ('planned', 'agenda_published') AND NOT extraordinary`);

    await q.query(`
      CREATE TABLE agenda_items (
        id             uuid PRIMARY KEY,
        conference_id  uuid NOT NULL REFERENCES conferences (id),
        case_id        uuid NOT NULL REFERENCES cases (id),
        kind           text NOT NULL CHECK (kind IN ('new', 'repeat', 'review')),
        status         text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'heard', 'deferred')),
        -- 0-based; the slot starts at conferences.starts_at + position × minutes_per_case.
        position       integer NOT NULL CHECK (position >= 0),
        -- Placement priority: deferred first, then repeats, then higher scores, then earlier placement.
        deferred_from  uuid REFERENCES agenda_items (id),
        is_repeat      boolean NOT NULL DEFAULT false,
        score          integer CHECK (score >= 0),
        version        integer NOT NULL DEFAULT 1,
        created_at     timestamptz NOT NULL,
        updated_at     timestamptz NOT NULL DEFAULT now(),
        -- Deferred: a reorder or an insertion shifts positions within one statement list.
        CONSTRAINT agenda_items_position_uq UNIQUE (conference_id, position) DEFERRABLE INITIALLY DEFERRED
      )`);
    // A case is scheduled at most once per conference ...
    await q.query(`CREATE UNIQUE INDEX agenda_items_conference_case_uq ON agenda_items (conference_id, case_id) WHERE status = 'scheduled'`);
    // ... and, stricter, on one conference at a time (a deferred or heard item is history).
    await q.query(`CREATE UNIQUE INDEX agenda_items_case_scheduled_uq ON agenda_items (case_id) WHERE status = 'scheduled'`);
    await q.query(`CREATE INDEX agenda_items_case_idx ON agenda_items (case_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE agenda_items`);
    await q.query(`DROP TABLE conferences`);
  }
}
