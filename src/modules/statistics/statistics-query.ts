import type { DataSource, EntityManager } from 'typeorm';
import { workingDaysBetween } from '../../../libs/business-calendar/index.js';
import { emptyRaw, weightedMedian, type AgencyActions, type RawStatistics } from './statistics-report.js';

type Queryable = DataSource | EntityManager;

/**
 * The raw counts of a period for some groups, straight from the workflow's own tables (the
 * statistics fall out of the work, never keyed twice). Reads only non-personal columns: codes,
 * flags, dates and the coarse `stat_*` columns of people, which survive anonymisation, so the
 * figures of a period stay the same after its cases are anonymised.
 *
 * Period: `[from, to)` instants (the Helsinki midnights around the inclusive dates).
 * - referrals: submitted in the period (`submitted_at`), by the kind of the referrer's agency,
 *   by eligibility ground, by where they stand now (accepted, declined, pending = submitted or
 *   returned, withdrawn); accepted ones as new cases or repeats (`repeat_of_case_id`);
 * - victims: distinct victims of those referrals by `stat_gender` and `stat_age_band`;
 *   children: distinct children living with the victim, and the referrals that list one;
 * - actions: agreed in the period (`assigned_at`), by agency: completed on time (Helsinki date
 *   of `completed_at` on or before `due_date`), completed late, not completed;
 * - referral to hearing: accepted referrals of the period that were heard: the first heard
 *   agenda item of the case at or after the submission (else `cases.last_hearing_at`), median
 *   working days between the two Helsinki dates (`workingDaysBetween` of libs/business-calendar,
 *   so the figure follows the library's holidays for any year).
 */
export async function loadRawStatistics(db: Queryable, groupIds: string[], from: Date, to: Date): Promise<{ byGroup: Map<string, RawStatistics>; total: RawStatistics }> {
  const params = [groupIds, from, to];
  const byGroup = new Map(groupIds.map((id) => [id, emptyRaw()]));
  const raw = (groupId: string) => byGroup.get(groupId)!;

  const referralRows: Array<{ group_id: string; dim: string; key: string; n: number }> = await db.query(
    `WITH r AS MATERIALIZED (
       SELECT r.group_id, r.status, r.eligibility_grounds, r.repeat_of_case_id, r.child_ids, a.kind AS agency_kind
         FROM referrals r JOIN agencies a ON a.id = r.author_agency_id
        WHERE r.group_id = ANY($1::uuid[]) AND r.submitted_at >= $2 AND r.submitted_at < $3)
     SELECT group_id, 'kind' AS dim, agency_kind AS key, count(*)::int AS n FROM r GROUP BY group_id, agency_kind
     UNION ALL
     SELECT group_id, 'ground', g, count(*)::int FROM r CROSS JOIN LATERAL unnest(coalesce(r.eligibility_grounds, '{}')) g GROUP BY group_id, g
     UNION ALL
     SELECT group_id, 'outcome', CASE WHEN status IN ('submitted', 'returned') THEN 'pending' ELSE status END, count(*)::int FROM r GROUP BY 1, 3
     UNION ALL
     SELECT group_id, 'case', CASE WHEN repeat_of_case_id IS NULL THEN 'new' ELSE 'repeat' END, count(*)::int FROM r WHERE status = 'accepted' GROUP BY 1, 3`,
    params,
  );
  for (const row of referralRows) {
    const s = raw(row.group_id);
    if (row.dim === 'kind') {
      s.byAgencyKind[row.key] = row.n;
      s.referrals += row.n;
    } else if (row.dim === 'ground') s.byGround[row.key] = row.n;
    else if (row.dim === 'outcome') s.outcomes[row.key] = row.n;
    else if (row.key === 'new') s.newCases = row.n;
    else s.repeatCases = row.n;
  }

  const peopleRows: Array<{ group_id: string; dim: string; key: string; n: number }> = await db.query(
    `WITH r AS MATERIALIZED (
       SELECT group_id, victim_id, child_ids FROM referrals
        WHERE group_id = ANY($1::uuid[]) AND submitted_at >= $2 AND submitted_at < $3),
     v AS (SELECT DISTINCT r.group_id, p.id, p.stat_gender, p.stat_age_band FROM r JOIN people p ON p.id = r.victim_id),
     c AS (SELECT DISTINCT r.group_id, p.id FROM r CROSS JOIN LATERAL unnest(r.child_ids) cid JOIN people p ON p.id = cid WHERE p.lives_with_victim)
     SELECT group_id, 'gender' AS dim, stat_gender AS key, count(*)::int AS n FROM v GROUP BY 1, 3
     UNION ALL SELECT group_id, 'age', stat_age_band, count(*)::int FROM v GROUP BY 1, 3
     UNION ALL SELECT group_id, 'children', 'in_households', count(*)::int FROM c GROUP BY 1
     UNION ALL SELECT r.group_id, 'children', 'referrals', count(*)::int FROM r
                WHERE EXISTS (SELECT 1 FROM people p WHERE p.id = ANY(r.child_ids) AND p.lives_with_victim) GROUP BY 1`,
    params,
  );
  for (const row of peopleRows) {
    const s = raw(row.group_id);
    if (row.dim === 'gender') {
      s.byGender[row.key] = row.n;
      s.victims += row.n;
    } else if (row.dim === 'age') s.byAgeBand[row.key] = row.n;
    else if (row.key === 'in_households') s.childrenInHouseholds = row.n;
    else s.referralsWithChildren = row.n;
  }

  const actionRows: Array<{ group_id: string; agency_id: string; name: string; kind: string; on_time: number; late: number; open: number }> = await db.query(
    `SELECT x.group_id, x.agency_id, a.name, a.kind,
            count(*) FILTER (WHERE x.status = 'completed' AND (x.completed_at AT TIME ZONE 'Europe/Helsinki')::date <= x.due_date)::int AS on_time,
            count(*) FILTER (WHERE x.status = 'completed' AND (x.completed_at AT TIME ZONE 'Europe/Helsinki')::date > x.due_date)::int AS late,
            count(*) FILTER (WHERE x.status <> 'completed')::int AS open
       FROM actions x JOIN agencies a ON a.id = x.agency_id
      WHERE x.group_id = ANY($1::uuid[]) AND x.assigned_at >= $2 AND x.assigned_at < $3
      GROUP BY x.group_id, x.agency_id, a.name, a.kind
      ORDER BY x.group_id, a.name, x.agency_id`,
    params,
  );
  const totalActions = new Map<string, AgencyActions>();
  for (const row of actionRows) {
    raw(row.group_id).actions.push({ agencyId: row.agency_id, name: row.name, kind: row.kind, completedOnTime: row.on_time, completedLate: row.late, notCompleted: row.open });
    const t = totalActions.get(row.agency_id) ?? { agencyId: row.agency_id, name: row.name, kind: row.kind, completedOnTime: 0, completedLate: 0, notCompleted: 0 };
    t.completedOnTime += row.on_time;
    t.completedLate += row.late;
    t.notCompleted += row.open;
    totalActions.set(row.agency_id, t);
  }

  // Distinct (submission date, hearing date) pairs with their counts: the working days between
  // the two are counted here, by libs/business-calendar, for any dates the rows hold.
  const hearingRows: Array<{ group_id: string; submitted: string; heard: string; n: number }> = await db.query(
    `WITH h AS (
       SELECT r.group_id, r.submitted_at,
              coalesce((SELECT min(c.starts_at) FROM agenda_items ai JOIN conferences c ON c.id = ai.conference_id
                         WHERE ai.case_id = r.case_id AND ai.status = 'heard' AND c.starts_at >= r.submitted_at),
                       CASE WHEN cs.last_hearing_at >= r.submitted_at THEN cs.last_hearing_at END) AS heard_at
         FROM referrals r JOIN cases cs ON cs.id = r.case_id
        WHERE r.group_id = ANY($1::uuid[]) AND r.submitted_at >= $2 AND r.submitted_at < $3 AND r.status = 'accepted')
     SELECT group_id, to_char(submitted_at AT TIME ZONE 'Europe/Helsinki', 'YYYY-MM-DD') AS submitted,
            to_char(heard_at AT TIME ZONE 'Europe/Helsinki', 'YYYY-MM-DD') AS heard, count(*)::int AS n
       FROM h WHERE heard_at IS NOT NULL
      GROUP BY 1, 2, 3`,
    params,
  );
  const ordinal = workingDayOrdinals(hearingRows.flatMap((r) => [r.submitted, r.heard]));
  const spans = new Map<string, Array<{ days: number; n: number }>>();
  for (const row of hearingRows) {
    const groupSpans = spans.get(row.group_id) ?? spans.set(row.group_id, []).get(row.group_id)!;
    groupSpans.push({ days: ordinal.get(row.heard)! - ordinal.get(row.submitted)!, n: row.n });
    raw(row.group_id).heard += row.n;
  }
  for (const [groupId, groupSpans] of spans) raw(groupId).medianWorkingDaysToHearing = weightedMedian(groupSpans);
  const total = emptyRaw();
  total.heard = hearingRows.reduce((n, r) => n + r.n, 0);
  total.medianWorkingDaysToHearing = weightedMedian([...spans.values()].flat());

  for (const s of byGroup.values()) {
    total.referrals += s.referrals;
    total.newCases += s.newCases;
    total.repeatCases += s.repeatCases;
    total.victims += s.victims;
    total.childrenInHouseholds += s.childrenInHouseholds;
    total.referralsWithChildren += s.referralsWithChildren;
    for (const [field, target] of [['byAgencyKind', total.byAgencyKind], ['byGround', total.byGround], ['outcomes', total.outcomes], ['byGender', total.byGender], ['byAgeBand', total.byAgeBand]] as const) {
      for (const [k, n] of Object.entries(s[field])) target[k] = (target[k] ?? 0) + n;
    }
  }
  total.actions = [...totalActions.values()].sort((a, b) => a.name.localeCompare(b.name) || a.agencyId.localeCompare(b.agencyId));
  return { byGroup, total };
}

/**
 * Each date's count of working days after the earliest of them: `ordinal(b) − ordinal(a)` is
 * `workingDaysBetween(a, b)` (the library's count is additive), walked once over the span.
 */
function workingDayOrdinals(dates: string[]): Map<string, number> {
  const sorted = [...new Set(dates)].sort();
  const ordinal = new Map<string, number>();
  sorted.forEach((d, i) => ordinal.set(d, i === 0 ? 0 : ordinal.get(sorted[i - 1]!)! + workingDaysBetween(sorted[i - 1]!, d)));
  return ordinal;
}
