import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An agency representative's inbox (GET /actions): their agency's actions in one group, by due
 * date (keyset on due_date, id) — an ordered index scan that stops after a page, with a million
 * actions in the table (bench/inbox.bench.ts).
 */
export class ActionInboxIndex1764000004000 implements MigrationInterface {
  name = 'ActionInboxIndex1764000004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX actions_agency_group_due_idx ON actions (agency_id, group_id, due_date, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX actions_agency_group_due_idx`);
  }
}
