import type { DataSource, EntityManager } from 'typeorm';
import { DEFAULT_GROUP_SETTINGS } from '../groups/group-settings.js';

export interface DueCase {
  caseId: string;
  reference: string;
  groupId: string;
  closedAt: string;
  lastHearingAt: string | null;
  /** The last hearing, or the closure when the case was never heard. */
  retainedFrom: string;
  retentionYears: number;
}

/**
 * Closed, not yet anonymised cases whose retention period has run out at `now`: the last
 * hearing (the later of `cases.last_hearing_at` and the case's last heard agenda item), or the
 * closure when never heard, plus the group's `retentionYears` (default 5). Oldest first. Ids,
 * references and dates only: the dry run prints these.
 */
export async function findDueCases(db: DataSource | EntityManager, now: Date, limit: number, caseId?: string): Promise<DueCase[]> {
  const rows: Array<{ id: string; reference: string; group_id: string; closed_at: Date; last_hearing_at: Date | null; retained_from: Date; years: number }> = await db.query(
    `SELECT c.id, c.reference, c.group_id, c.closed_at, h.last_hearing_at, coalesce(h.last_hearing_at, c.closed_at) AS retained_from, y.years
       FROM cases c
       JOIN groups g ON g.id = c.group_id
       CROSS JOIN LATERAL (SELECT coalesce((g.settings->>'retentionYears')::int, $3) AS years) y
       CROSS JOIN LATERAL (
         SELECT greatest(c.last_hearing_at,
                         (SELECT max(cf.starts_at) FROM agenda_items ai JOIN conferences cf ON cf.id = ai.conference_id
                           WHERE ai.case_id = c.id AND ai.status = 'heard')) AS last_hearing_at) h
      WHERE c.status = 'closed' AND c.anonymised_at IS NULL
        AND coalesce(h.last_hearing_at, c.closed_at) + make_interval(years => y.years) <= $1
        AND ($4::uuid IS NULL OR c.id = $4)
      ORDER BY retained_from, c.id
      LIMIT $2`,
    [now, limit, DEFAULT_GROUP_SETTINGS.retentionYears, caseId ?? null],
  );
  return rows.map((r) => ({
    caseId: r.id,
    reference: r.reference,
    groupId: r.group_id,
    closedAt: r.closed_at.toISOString(),
    lastHearingAt: r.last_hearing_at?.toISOString() ?? null,
    retainedFrom: r.retained_from.toISOString(),
    retentionYears: r.years,
  }));
}
