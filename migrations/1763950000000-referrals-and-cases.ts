import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ReferralsAndCases1763950000000 implements MigrationInterface {
  name = 'ReferralsAndCases1763950000000';

  async up(q: QueryRunner): Promise<void> {
    // References MRK-<year>-<number>: one counter row per year, incremented inside the submitting
    // transaction, so numbers are unique and a rolled-back submission leaves no gap.
    await q.query(`CREATE TABLE reference_counters (year integer PRIMARY KEY, last integer NOT NULL)`);

    await q.query(`
      CREATE TABLE cases (
        id                 uuid PRIMARY KEY,
        reference          text NOT NULL UNIQUE,
        group_id           uuid NOT NULL REFERENCES groups (id),
        victim_id          uuid NOT NULL REFERENCES people (id),
        status             text NOT NULL CHECK (status IN ('open', 'closed')),
        is_repeat          boolean NOT NULL DEFAULT false,
        opened_at          timestamptz NOT NULL,
        reopened_at        timestamptz,
        closed_at          timestamptz,
        close_reason       text CHECK (close_reason IN ('actions_completed', 'consent_withdrawn', 'moved_away', 'other')),
        close_note_enc     bytea,
        last_referral_at   timestamptz NOT NULL,
        last_hearing_at    timestamptz,
        advocate_agency_id uuid REFERENCES agencies (id),
        advocate_user_id   uuid REFERENCES users (id),
        restricted_to      uuid[],
        version            integer NOT NULL DEFAULT 1,
        created_at         timestamptz NOT NULL DEFAULT now(),
        updated_at         timestamptz NOT NULL DEFAULT now(),
        CHECK ((status = 'closed') = (closed_at IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX cases_group_status_idx ON cases (group_id, status, opened_at)`);
    await q.query(`CREATE INDEX cases_victim_idx ON cases (victim_id)`);

    await q.query(`
      CREATE TABLE referrals (
        id                        uuid PRIMARY KEY,
        group_id                  uuid NOT NULL REFERENCES groups (id),
        author_id                 uuid NOT NULL REFERENCES users (id),
        author_agency_id          uuid NOT NULL REFERENCES agencies (id),
        status                    text NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'accepted', 'declined', 'withdrawn')),
        reference                 text UNIQUE,
        victim_id                 uuid NOT NULL REFERENCES people (id),
        perpetrator_ids           uuid[] NOT NULL DEFAULT '{}',
        child_ids                 uuid[] NOT NULL DEFAULT '{}',
        relationship              text NOT NULL CHECK (relationship IN ('partner', 'ex_partner', 'family', 'other')),
        risk_form_code            text NOT NULL,
        risk_form_version         integer NOT NULL,
        answers_enc               bytea NOT NULL,
        score                     integer,
        unknown_count             integer,
        answered_count            integer,
        threshold                 integer,
        professional_judgement_enc bytea,
        incidents_12_months       integer CHECK (incidents_12_months >= 0),
        eligible                  boolean,
        eligibility_grounds       text[],
        consent_status            text NOT NULL CHECK (consent_status IN ('given', 'refused', 'not_asked')),
        consent_given_at          date,
        consent_method            text CHECK (consent_method IN ('written', 'verbal')),
        cwn_status                text CHECK (cwn_status IN ('made', 'will_make', 'not_needed')),
        cwn_made_at               date,
        summary_enc               bytea NOT NULL,
        immediate_safety_enc      bytea,
        case_id                   uuid REFERENCES cases (id),
        repeat_of_case_id         uuid REFERENCES cases (id),
        known_in_other_group      boolean NOT NULL DEFAULT false,
        reason_enc                bytea,
        submitted_at              timestamptz,
        triaged_at                timestamptz,
        triaged_by                uuid REFERENCES users (id),
        version                   integer NOT NULL DEFAULT 1,
        created_at                timestamptz NOT NULL,
        updated_at                timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX referrals_group_status_idx ON referrals (group_id, status, created_at)`);
    await q.query(`CREATE INDEX referrals_author_idx ON referrals (author_id, created_at)`);
    await q.query(`CREATE INDEX referrals_case_idx ON referrals (case_id)`);
    await q.query(`CREATE INDEX referrals_victim_idx ON referrals (victim_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE referrals`);
    await q.query(`DROP TABLE cases`);
    await q.query(`DROP TABLE reference_counters`);
  }
}
