import type { MigrationInterface, QueryRunner } from 'typeorm';
import { addCalendarDays, isWorkingDay } from '../libs/business-calendar/index.js';

/** The first and last day of the working-day calendar (referral-to-hearing spans). */
export const CALENDAR_FROM = '2000-01-01';
export const CALENDAR_TO = '2100-12-31';

/**
 * Statistics (src/modules/statistics): a working-day calendar so the median of working days
 * from referral to hearing is computed in SQL over a whole year at once, and the indexes its
 * period queries use.
 *
 * `working_day_calendar.ordinal` counts the Finnish working days from CALENDAR_FROM up to and
 * including `day` (libs/business-calendar decides what a working day is), so
 * `ordinal(to) − ordinal(from)` is `workingDaysBetween(from, to)` of the library.
 */
export class Statistics1764000000000 implements MigrationInterface {
  name = 'Statistics1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE working_day_calendar (day date PRIMARY KEY, ordinal integer NOT NULL)`);
    const days: string[] = [];
    const ordinals: number[] = [];
    let ordinal = 0;
    for (let d = CALENDAR_FROM; d <= CALENDAR_TO; d = addCalendarDays(d, 1)) {
      if (isWorkingDay(d)) ordinal++;
      days.push(d);
      ordinals.push(ordinal);
    }
    await q.query(`INSERT INTO working_day_calendar (day, ordinal) SELECT * FROM unnest($1::date[], $2::int[])`, [days, ordinals]);

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
    await q.query(`DROP TABLE working_day_calendar`);
  }
}
