import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Statistics (src/modules/statistics): the indexes its period queries use. (The working days
 * from referral to hearing are counted in the application by libs/business-calendar, so no
 * calendar is stored in the database.)
 */
export class Statistics1764000000000 implements MigrationInterface {
  name = 'Statistics1764000000000';

  async up(q: QueryRunner): Promise<void> {
    // A group's submitted referrals in a period (the statistics' spine).
    await q.query(`CREATE INDEX referrals_group_submitted_idx ON referrals (group_id, submitted_at) WHERE submitted_at IS NOT NULL`);
    // A group's actions agreed in a period.
    await q.query(`CREATE INDEX actions_group_assigned_idx ON actions (group_id, assigned_at)`);
    // A case's hearings.
    await q.query(`CREATE INDEX agenda_items_case_heard_idx ON agenda_items (case_id, conference_id) WHERE status = 'heard'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX agenda_items_case_heard_idx`);
    await q.query(`DROP INDEX actions_group_assigned_idx`);
    await q.query(`DROP INDEX referrals_group_submitted_idx`);
  }
}
