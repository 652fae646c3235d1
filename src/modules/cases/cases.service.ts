import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { Problem } from '../../common/problems/problem.js';
import { rowsOf } from '../../platform/database/rows.js';
import type { AuthUser } from '../../common/request-context.js';
import { AuditService } from '../audit/audit.service.js';
import { PeopleService } from '../people/people.service.js';
import { CasePolicy } from './case.policy.js';

export type ReferralSummaries = (manager: EntityManager, caseId: string) => Promise<object[]>;
/** Whether the case is on a published agenda of the group and the agency is a member of it (registered by the conferences module). */
export type PublishedAgendaAccess = (manager: EntityManager, caseId: string, groupId: string, agencyId: string) => Promise<boolean>;

interface CaseRow {
  id: string;
  reference: string;
  group_id: string;
  victim_id: string;
  status: 'open' | 'closed';
  is_repeat: boolean;
  opened_at: Date;
  reopened_at: Date | null;
  closed_at: Date | null;
  close_reason: string | null;
  last_referral_at: Date;
  last_hearing_at: Date | null;
  advocate_agency_id: string | null;
  advocate_user_id: string | null;
  restricted_to: string[] | null;
  version: number;
  author_ids: string[];
  perpetrator_ids: string[];
  child_ids: string[];
}

const SELECT_CASE = `
  SELECT c.id, c.reference, c.group_id, c.victim_id, c.status, c.is_repeat, c.opened_at, c.reopened_at, c.closed_at, c.close_reason,
         c.last_referral_at, c.last_hearing_at, c.advocate_agency_id, c.advocate_user_id, c.restricted_to, c.version,
         coalesce((SELECT array_agg(DISTINCT r.author_id) FROM referrals r WHERE r.case_id = c.id), '{}') AS author_ids,
         coalesce((SELECT r.perpetrator_ids FROM referrals r WHERE r.case_id = c.id ORDER BY r.submitted_at DESC LIMIT 1), '{}') AS perpetrator_ids,
         coalesce((SELECT r.child_ids FROM referrals r WHERE r.case_id = c.id ORDER BY r.submitted_at DESC LIMIT 1), '{}') AS child_ids
    FROM cases c`;

/** A MARAK case: opened or re-opened by an accepted referral, heard at conferences, closed. */
@Injectable()
export class CasesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly people: PeopleService,
  ) {}

  private referralSummaries?: ReferralSummaries;

  /** Referrals depend on cases (accepting one opens a case); they hand their summaries back here. */
  useReferralSummaries(source: ReferralSummaries): void {
    this.referralSummaries = source;
  }

  private publishedAgendaAccess?: PublishedAgendaAccess;

  /** Conferences depend on cases; they hand back the "on a published agenda" check of need to know. */
  usePublishedAgendaAccess(check: PublishedAgendaAccess): void {
    this.publishedAgendaAccess = check;
  }

  /**
   * The victim's case in the group, if the victim (any of `victimIds`, found by blind index) has
   * one; `withinWindow` when their last referral was less than `windowMonths` before `now`.
   */
  async findRepeatCandidate(tx: EntityManager, groupId: string, victimIds: string[], windowMonths: number, now: Date): Promise<{ caseId: string; reference: string; withinWindow: boolean } | undefined> {
    if (victimIds.length === 0) return undefined;
    const [row] = await tx.query(
      `SELECT id, reference, last_referral_at, (last_referral_at + make_interval(months => $3)) > $4 AS within
         FROM cases WHERE group_id = $1 AND victim_id = ANY($2::uuid[]) ORDER BY last_referral_at DESC LIMIT 1`,
      [groupId, victimIds, windowMonths, now],
    );
    return row ? { caseId: row.id, reference: row.reference, withinWindow: row.within } : undefined;
  }

  /**
   * Opens a case for an accepted referral, or re-opens the repeat's case. The caller records the
   * audit row (`case.open` / `case.reopen`) last in its transaction, after every row lock it takes.
   */
  async openForReferral(
    tx: EntityManager,
    p: { groupId: string; victimId: string; reference: string; repeatOfCaseId: string | null; referredAt: Date; now: Date },
  ): Promise<{ caseId: string; reference: string; isRepeat: boolean }> {
    if (p.repeatOfCaseId) {
      const [updated] = rowsOf<{ id: string; reference: string }>(await tx.query(
        `UPDATE cases SET status = 'open', is_repeat = true, reopened_at = CASE WHEN status = 'closed' THEN $2::timestamptz ELSE reopened_at END,
                closed_at = NULL, close_reason = NULL, close_note_enc = NULL, last_referral_at = $3, version = version + 1, updated_at = $2
          WHERE id = $1 RETURNING id, reference, group_id`,
        [p.repeatOfCaseId, p.now, p.referredAt],
      ));
      if (!updated) throw Problem.notFound('The earlier case');
      return { caseId: updated.id, reference: updated.reference, isRepeat: true };
    }
    const id = randomUUID();
    await tx.query(
      `INSERT INTO cases (id, reference, group_id, victim_id, status, opened_at, last_referral_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'open', $5, $6, $5, $5)`,
      [id, p.reference, p.groupId, p.victimId, p.now, p.referredAt],
    );
    return { caseId: id, reference: p.reference, isRepeat: false };
  }

  async referenceOf(manager: EntityManager | DataSource, caseId: string): Promise<{ caseId: string; reference: string } | null> {
    const [row] = await manager.query(`SELECT id, reference FROM cases WHERE id = $1`, [caseId]);
    return row ? { caseId: row.id, reference: row.reference } : null;
  }

  async get(user: AuthUser, id: string): Promise<object> {
    return this.db.transaction(async (tx) => {
      const row: CaseRow | undefined = (await tx.query(`${SELECT_CASE} WHERE c.id = $1`, [id]))[0];
      if (!row || !(await this.maySee(tx, user, row))) throw Problem.notFound('The case');
      const [victim, ...others] = await this.people.readMany(tx, [row.victim_id, ...row.perpetrator_ids, ...row.child_ids]);
      const strip = ({ groupId: _g, role: _r, statGender: _s, statAgeBand: _a, version: _v, createdAt: _c, updatedAt: _u, anonymisedAt: _x, ...rest }: Record<string, unknown>) => rest;
      const referrals = (await this.referralSummaries?.(tx, id)) ?? [];
      const view = {
        ...this.summary(row),
        victim: strip(victim as unknown as Record<string, unknown>),
        perpetrators: others.slice(0, row.perpetrator_ids.length).map((p) => strip(p as unknown as Record<string, unknown>)),
        children: others.slice(row.perpetrator_ids.length).map((p) => strip(p as unknown as Record<string, unknown>)),
        referrals,
        hearings: [],
        actions: [],
        advocate: row.advocate_agency_id ? { agencyId: row.advocate_agency_id, userId: row.advocate_user_id } : null,
      };
      await this.audit.record(tx, { action: 'case.read', objectType: 'case', objectId: id, groupId: row.group_id, subjectIds: [row.victim_id, ...row.perpetrator_ids, ...row.child_ids], details: { caseRef: row.reference } });
      return view;
    });
  }

  /** The cases a user may see (decided in SQL, as CasePolicy decides one), without personal data. */
  async list(user: AuthUser, q: { groupId?: string; status?: string; limit?: number; cursor?: string }): Promise<{ items: object[]; nextCursor: string | null }> {
    const limit = q.limit ?? 50;
    let after: { openedAt: string; id: string } | undefined;
    if (q.cursor) {
      try {
        after = JSON.parse(Buffer.from(q.cursor, 'base64url').toString());
        if (typeof after?.openedAt !== 'string' || Number.isNaN(Date.parse(after.openedAt)) || !/^[0-9a-f-]{36}$/i.test(String(after?.id))) throw new Error();
      } catch {
        throw new Problem(400, 'invalid-cursor', 'Bad Request', 'The cursor is not one this API gave out.');
      }
    }
    const staffGroups = user.roles.filter((r) => r.role === 'coordinator' || r.role === 'chair').map((r) => r.groupId);
    const rows: CaseRow[] = await this.db.query(
      `${SELECT_CASE}
        WHERE ($1::uuid IS NULL OR c.group_id = $1) AND ($2::text IS NULL OR c.status = $2)
          AND (CASE WHEN cardinality(coalesce(c.restricted_to, '{}')) > 0 THEN $3 = ANY(c.restricted_to)
                    ELSE c.group_id = ANY($4::uuid[]) OR c.advocate_user_id = $3
                         OR EXISTS (SELECT 1 FROM referrals r WHERE r.case_id = c.id AND r.author_id = $3) END)
          AND ($5::timestamptz IS NULL OR (c.opened_at, c.id) < ($5, $6::uuid))
        ORDER BY c.opened_at DESC, c.id DESC LIMIT $7`,
      [q.groupId ?? null, q.status ?? null, user.id, staffGroups, after?.openedAt ?? null, after?.id ?? null, limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => this.summary(r)),
      nextCursor: rows.length > limit && last ? Buffer.from(JSON.stringify({ openedAt: last.opened_at.toISOString(), id: last.id })).toString('base64url') : null,
    };
  }

  /** CasePolicy, with the published-agenda fact looked up only for a member agency's representative of an open case. */
  private async maySee(tx: EntityManager, user: AuthUser, row: CaseRow): Promise<boolean> {
    const s = subject(row);
    if (CasePolicy.canSee(user, s)) return true;
    if (!CasePolicy.mayBeAgencyRepOf(user, s) || !this.publishedAgendaAccess) return false;
    const onPublishedAgenda = await this.publishedAgendaAccess(tx, row.id, row.group_id, user.agencyId!);
    return CasePolicy.canSee(user, { ...s, onPublishedAgenda });
  }

  private summary(r: CaseRow) {
    return {
      id: r.id,
      reference: r.reference,
      groupId: r.group_id,
      status: r.status,
      isRepeat: r.is_repeat,
      openedAt: r.opened_at.toISOString(),
      reopenedAt: r.reopened_at?.toISOString() ?? null,
      closedAt: r.closed_at?.toISOString() ?? null,
      closeReason: r.close_reason,
      lastReferralAt: r.last_referral_at.toISOString(),
      lastHearingAt: r.last_hearing_at?.toISOString() ?? null,
      restricted: (r.restricted_to?.length ?? 0) > 0,
      version: r.version,
    };
  }
}

function subject(r: CaseRow) {
  return { groupId: r.group_id, status: r.status, advocateUserId: r.advocate_user_id, restrictedTo: r.restricted_to, authorIds: r.author_ids };
}

