import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The victim's views and wishes, recorded by the case's advocate before a conference (owned by
 * src/modules/cases; free text encrypted per row), and the instant a conference's agenda was
 * published (the research period's start: views recorded since then answer the reminder).
 */
export class CaseViews1763970000000 implements MigrationInterface {
  name = 'CaseViews1763970000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE victim_views (
        id           uuid PRIMARY KEY,
        case_id      uuid NOT NULL REFERENCES cases (id),
        views_enc    bytea NOT NULL,
        wishes_enc   bytea,
        recorded_by  uuid NOT NULL REFERENCES users (id),
        recorded_at  timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX victim_views_case_idx ON victim_views (case_id, recorded_at)`);
    await q.query(`ALTER TABLE conferences ADD COLUMN published_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE conferences DROP COLUMN published_at`);
    await q.query(`DROP TABLE victim_views`);
  }
}
