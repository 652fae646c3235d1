import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A case's referrals (GET /cases/:id) are found by case_id or, for repeats, repeat_of_case_id: both indexed. */
export class ReferralRepeatIndex1764000002000 implements MigrationInterface {
  name = 'ReferralRepeatIndex1764000002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX referrals_repeat_of_case_idx ON referrals (repeat_of_case_id) WHERE repeat_of_case_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX referrals_repeat_of_case_idx`);
  }
}
