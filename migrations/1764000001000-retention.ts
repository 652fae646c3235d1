import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention (src/modules/retention): when a closed case's personal data was destroyed. The case
 * row itself (reference, dates, flags) stays for statistics and for the audit log that names it.
 */
export class Retention1764000001000 implements MigrationInterface {
  name = 'Retention1764000001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE cases ADD COLUMN anonymised_at timestamptz`);
    await q.query(`ALTER TABLE cases ADD CONSTRAINT cases_anonymised_closed CHECK (anonymised_at IS NULL OR status = 'closed')`);
    // The daily run: closed cases not yet anonymised.
    await q.query(`CREATE INDEX cases_retention_due_idx ON cases (group_id, closed_at) WHERE status = 'closed' AND anonymised_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX cases_retention_due_idx`);
    await q.query(`ALTER TABLE cases DROP CONSTRAINT cases_anonymised_closed`);
    await q.query(`ALTER TABLE cases DROP COLUMN anonymised_at`);
  }
}
