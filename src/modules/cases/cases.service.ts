import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { decodeKeysetCursor, encodeKeysetCursor } from '../../common/pagination.js';
import { Problem } from '../../common/problems/problem.js';
import { rowsOf } from '../../platform/database/rows.js';
import { groupsWithRole, type AuthUser } from '../../common/request-context.js';
import { Clock } from '../../platform/clock/clock.js';
import { FieldCryptoService } from '../../platform/crypto/field-crypto.service.js';
import { AuditService } from '../audit/audit.service.js';
import { GroupsService } from '../groups/groups.service.js';
import { AgenciesService } from '../identity/agencies.service.js';
import { UsersService } from '../identity/users.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { PeopleService } from '../people/people.service.js';
import { CasePolicy } from './case.policy.js';
import type { CloseReason } from './dto/case.dto.js';

export const CASE_CLOSED = 'case.closed';
const versionConflict = () => Problem.conflict('version-conflict', 'The case was changed by someone else; reload and try again.');
const caseClosed = () => Problem.conflict('case-closed', 'The case is closed.');

/** The case's referrals, summarised for GET /cases/:id (provided by the referrals module). */
export type ReferralSummaries = (manager: EntityManager, caseId: string) => Promise<object[]>;
/** Called inside the closing transaction, before its audit row. */
export type ClosureListener = (tx: EntityManager, caseId: string, reason: CloseReason) => Promise<void>;
/** Whether the case is on a published agenda of the group and the agency is a member of it (provided by the conferences module). */
export type PublishedAgendaAccess = (manager: EntityManager, caseId: string, groupId: string, agencyId: string) => Promise<boolean>;
/** The cases on a published agenda of these groups, of which the agency is a member (provided by the conferences module). */
export type PublishedAgendaCases = (manager: EntityManager | DataSource, agencyId: string, groupIds: string[]) => Promise<string[]>;
/** A case's place on a conference's agenda, as GET /cases/:id shows it. */
export interface Hearing {
  conferenceId: string;
  startsAt: string;
  itemId: string;
  status: 'scheduled' | 'heard' | 'deferred';
  riskLevel: 'high' | 'medium' | 'standard' | null;
}
/** The case's agenda items, earliest conference first (provided by the conferences module). */
export type HearingsSource = (manager: EntityManager, caseId: string) => Promise<Hearing[]>;
/** The case's actions this user may see (provided by the actions module). */
export type ActionsSource = (manager: EntityManager, caseId: string, user: AuthUser) => Promise<object[]>;

/**
 * What modules that depend on cases hand back to it (CasesService.provide, in their
 * onModuleInit): cases cannot import them without a cycle. A port not provided (its module not
 * loaded) reads as nothing: no referrals, hearings or actions, no published-agenda access.
 */
export interface CasePorts {
  /** Referrals: the case's referrals, summarised. */
  referralSummaries: ReferralSummaries;
  /** Conferences: the "on a published agenda" fact of need to know, for one case ... */
  publishedAgendaAccess: PublishedAgendaAccess;
  /** ... and for a list: the cases a member agency's representative may see. */
  publishedAgendaCases: PublishedAgendaCases;
  /** Conferences: the case's hearings (its agenda items and their outcomes' risk levels). */
  hearings: HearingsSource;
  /** Actions: the case's actions, filtered by their own need-to-know rule. */
  actions: ActionsSource;
}

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

/**
 * `GET /cases/:id`: the case row with its victim's views and wishes in the same statement (one
 * round trip fewer per read; a statement costs the one event loop a socket write and a parse).
 * The views come as parallel arrays in their order (recorded_at, id); no rows give NULLs.
 */
const SELECT_CASE_WITH_VIEWS = `
  SELECT k.*, vv.ids AS view_ids, vv.views_enc AS view_views_enc, vv.wishes_enc AS view_wishes_enc,
         vv.recorded_by AS view_recorded_by, vv.recorded_at AS view_recorded_at
    FROM (${SELECT_CASE} WHERE c.id = $1) k
    LEFT JOIN LATERAL (
      SELECT array_agg(v.id ORDER BY v.recorded_at, v.id) AS ids, array_agg(v.views_enc ORDER BY v.recorded_at, v.id) AS views_enc,
             array_agg(v.wishes_enc ORDER BY v.recorded_at, v.id) AS wishes_enc, array_agg(v.recorded_by ORDER BY v.recorded_at, v.id) AS recorded_by,
             array_agg(v.recorded_at ORDER BY v.recorded_at, v.id) AS recorded_at
        FROM victim_views v WHERE v.case_id = k.id
    ) vv ON true`;

interface VictimViewColumns {
  view_ids: string[] | null;
  view_views_enc: Buffer[] | null;
  view_wishes_enc: Array<Buffer | null> | null;
  view_recorded_by: string[] | null;
  view_recorded_at: Date[] | null;
}

/** A MARAK case: opened or re-opened by an accepted referral, heard at conferences, closed. */
@Injectable()
export class CasesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly people: PeopleService,
    private readonly clock: Clock,
    private readonly crypto: FieldCryptoService,
    private readonly groups: GroupsService,
    private readonly agencies: AgenciesService,
    private readonly users: UsersService,
    private readonly notifications: NotificationsService,
  ) {}

  private ports: Partial<CasePorts> = {};

  /** A dependent module hands its ports here (CasePorts); each port is provided once (a second time throws). */
  provide(p: Partial<CasePorts>): void {
    const twice = (Object.keys(p) as Array<keyof CasePorts>).filter((k) => this.ports[k] !== undefined);
    if (twice.length) throw new Error(`CasesService.provide: ${twice.join(', ')} provided twice`);
    this.ports = { ...this.ports, ...p };
  }

  /**
   * A conference heard the case: `last_hearing_at` (the repeat window and retention count from
   * it). Not a change a user edits, so the case's version stays. Returns the victim's person id
   * (the caller's audit row names the data subject). The caller records the audit row.
   */
  async markHeard(tx: EntityManager, caseId: string, at: Date): Promise<{ victimId: string }> {
    const [row] = rowsOf<{ victim_id: string }>(
      await tx.query(`UPDATE cases SET last_hearing_at = $2, updated_at = $2 WHERE id = $1 RETURNING victim_id`, [caseId, at]),
    );
    if (!row) throw Problem.notFound('The case');
    return { victimId: row.victim_id };
  }

  /**
   * Of these cases, the ones restricted to named people (DOMAIN.md) among whom the user is not:
   * others on the agenda see only the reference and the agencies involved.
   */
  async restrictedFrom(manager: EntityManager | DataSource, user: AuthUser, caseIds: string[]): Promise<Set<string>> {
    if (caseIds.length === 0) return new Set();
    const rows: Array<{ id: string }> = await manager.query(
      `SELECT id FROM cases WHERE id = ANY($1::uuid[]) AND cardinality(coalesce(restricted_to, '{}')) > 0 AND NOT ($2 = ANY(restricted_to))`,
      [caseIds, user.id],
    );
    return new Set(rows.map((r) => r.id));
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

  async referencesOf(manager: EntityManager | DataSource, caseIds: string[]): Promise<Array<{ caseId: string; reference: string }>> {
    if (caseIds.length === 0) return [];
    const rows: Array<{ id: string; reference: string }> = await manager.query(`SELECT id, reference FROM cases WHERE id = ANY($1::uuid[])`, [caseIds]);
    return rows.map((r) => ({ caseId: r.id, reference: r.reference }));
  }

  async referenceOf(manager: EntityManager | DataSource, caseId: string): Promise<{ caseId: string; reference: string } | null> {
    const [row] = await manager.query(`SELECT id, reference FROM cases WHERE id = $1`, [caseId]);
    return row ? { caseId: row.id, reference: row.reference } : null;
  }

  async get(user: AuthUser, id: string): Promise<object> {
    return this.db.transaction(async (tx) => {
      const row: (CaseRow & VictimViewColumns) | undefined = (await tx.query(SELECT_CASE_WITH_VIEWS, [id]))[0];
      if (!row || !(await this.maySee(tx, user, row))) throw Problem.notFound('The case');
      const [victim, ...others] = await this.people.readMany(tx, [row.victim_id, ...row.perpetrator_ids, ...row.child_ids]);
      const strip = ({ groupId: _g, role: _r, statGender: _s, statAgeBand: _a, version: _v, createdAt: _c, updatedAt: _u, anonymisedAt: _x, ...rest }: Record<string, unknown>) => rest;
      const referrals = (await this.ports.referralSummaries?.(tx, id)) ?? [];
      const view = {
        ...this.summary(row),
        victim: strip(victim as unknown as Record<string, unknown>),
        perpetrators: others.slice(0, row.perpetrator_ids.length).map((p) => strip(p as unknown as Record<string, unknown>)),
        children: others.slice(row.perpetrator_ids.length).map((p) => strip(p as unknown as Record<string, unknown>)),
        referrals,
        hearings: (await this.ports.hearings?.(tx, id)) ?? [],
        actions: (await this.ports.actions?.(tx, id, user)) ?? [],
        advocate: row.advocate_agency_id ? { agencyId: row.advocate_agency_id, userId: row.advocate_user_id } : null,
        victimViews: this.victimViews(row),
      };
      await this.audit.record(tx, { action: 'case.read', objectType: 'case', objectId: id, groupId: row.group_id, subjectIds: [row.victim_id, ...row.perpetrator_ids, ...row.child_ids], details: { caseRef: row.reference } });
      return view;
    });
  }

  /**
   * `PUT /cases/:id/advocate` (the group's coordinator): the advocate agency must be a member of
   * the group; the user, if named, an active user of that agency (422 otherwise, naming no one).
   */
  async setAdvocate(user: AuthUser, id: string, dto: { agencyId: string; userId?: string }, expected?: number): Promise<object> {
    await this.db.transaction(async (tx) => {
      const row = await this.lockVisible(tx, user, id);
      if (!CasePolicy.canManage(user, subject(row))) throw new Problem(403, 'not-coordinator', 'Forbidden', 'Only the group’s coordinator names the advocate.');
      this.checkVersion(row, expected);
      if (row.status === 'closed') throw caseClosed();
      if (!(await this.groups.isMember(row.group_id, dto.agencyId, tx))) {
        throw Problem.unprocessable('advocate-agency-not-member', 'Not a member agency', 'The advocate’s agency must be a member of the case’s group.', { errors: [{ field: 'agencyId', message: 'not a member agency of the group' }] });
      }
      if (dto.userId) {
        const advocate = await this.users.find(dto.userId, tx);
        if (!advocate || !advocate.active || advocate.agencyId !== dto.agencyId) {
          throw Problem.unprocessable('advocate-user-invalid', 'Not a worker of the agency', 'The advocate must be an active user of the named agency.', { errors: [{ field: 'userId', message: 'not an active user of the agency' }] });
        }
      }
      await tx.query(`UPDATE cases SET advocate_agency_id = $2, advocate_user_id = $3, version = version + 1, updated_at = $4 WHERE id = $1`, [id, dto.agencyId, dto.userId ?? null, this.clock.now()]);
      await this.audit.record(tx, {
        action: 'case.advocate.set', objectType: 'case', objectId: id, groupId: row.group_id, subjectIds: [row.victim_id],
        details: { caseRef: row.reference, agencyId: dto.agencyId, userId: dto.userId ?? null, version: row.version + 1 },
      });
    });
    return this.get(user, id);
  }

  /** `PUT /cases/:id/restriction` (coordinator): only the named people (and the coordinator) may open the case. */
  async restrict(user: AuthUser, id: string, userIds: string[], expected?: number): Promise<object> {
    await this.db.transaction(async (tx) => {
      const row = await this.lockVisible(tx, user, id);
      if (!CasePolicy.canManage(user, subject(row))) throw new Problem(403, 'not-coordinator', 'Forbidden', 'Only the group’s coordinator restricts a case.');
      this.checkVersion(row, expected);
      const named = [...new Set([user.id, ...userIds])];
      const [{ n }] = await tx.query(`SELECT count(*)::int AS n FROM users WHERE id = ANY($1::uuid[]) AND active`, [named]);
      if (n !== named.length) {
        throw Problem.unprocessable('restriction-user-invalid', 'Unknown user', 'Every person named on a restriction must be an active user.', { errors: [{ field: 'userIds', message: 'contains an unknown or inactive user' }] });
      }
      await tx.query(`UPDATE cases SET restricted_to = $2, version = version + 1, updated_at = $3 WHERE id = $1`, [id, named, this.clock.now()]);
      await this.audit.record(tx, {
        action: 'case.restrict', objectType: 'case', objectId: id, groupId: row.group_id, subjectIds: [row.victim_id],
        details: { caseRef: row.reference, restricted: true, count: named.length, version: row.version + 1 },
      });
    });
    return this.get(user, id);
  }

  /** `DELETE /cases/:id/restriction` (coordinator). */
  async unrestrict(user: AuthUser, id: string, expected?: number): Promise<object> {
    await this.db.transaction(async (tx) => {
      const row = await this.lockVisible(tx, user, id);
      if (!CasePolicy.canManage(user, subject(row))) throw new Problem(403, 'not-coordinator', 'Forbidden', 'Only the group’s coordinator lifts a restriction.');
      this.checkVersion(row, expected);
      if (!row.restricted_to?.length) throw Problem.conflict('case-not-restricted', 'The case is not restricted.');
      await tx.query(`UPDATE cases SET restricted_to = NULL, version = version + 1, updated_at = $2 WHERE id = $1`, [id, this.clock.now()]);
      await this.audit.record(tx, {
        action: 'case.unrestrict', objectType: 'case', objectId: id, groupId: row.group_id, subjectIds: [row.victim_id],
        details: { caseRef: row.reference, restricted: false, version: row.version + 1 },
      });
    });
    return this.get(user, id);
  }

  /** `POST /cases/:id/victim-views` (the case's advocate): encrypted at rest, audited with the victim as subject. */
  async recordVictimViews(user: AuthUser, id: string, dto: { views: string; wishes?: string }): Promise<object> {
    return this.db.transaction(async (tx) => {
      const row = await this.lockCase(tx, id);
      const s = row && subject(row);
      if (!row || !s || !(CasePolicy.isAdvocate(user, s) || (await this.maySee(tx, user, row)))) throw Problem.notFound('The case');
      if (!CasePolicy.isAdvocate(user, s)) throw new Problem(403, 'not-the-advocate', 'Forbidden', 'Only the case’s advocate records the victim’s views.');
      if (row.status === 'closed') throw caseClosed();
      const viewId = randomUUID();
      const now = this.clock.now();
      const ctx = (column: string) => ({ table: 'victim_views', column, rowId: viewId });
      await tx.query(
        `INSERT INTO victim_views (id, case_id, views_enc, wishes_enc, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)`,
        [viewId, id, this.crypto.encrypt(dto.views, ctx('views')), dto.wishes ? this.crypto.encrypt(dto.wishes, ctx('wishes')) : null, user.id, now],
      );
      await this.audit.record(tx, { action: 'case.victim-views.record', objectType: 'case', objectId: id, groupId: row.group_id, subjectIds: [row.victim_id], details: { caseRef: row.reference } });
      return { id: viewId, caseId: id, recordedAt: now.toISOString(), recordedBy: user.id };
    });
  }

  /** Whether the victim's views were recorded on the case at or after `since` (the victim-views reminder asks). */
  async hasVictimViewsSince(manager: EntityManager, caseId: string, since: Date): Promise<boolean> {
    const rows = await manager.query(`SELECT 1 FROM victim_views WHERE case_id = $1 AND recorded_at >= $2 LIMIT 1`, [caseId, since]);
    return rows.length > 0;
  }

  /**
   * `POST /cases/:id/close` (coordinator or chair): closed with its reason (the note encrypted);
   * every member agency's mailbox is told, without detail. 409 when already closed.
   */
  async close(user: AuthUser, id: string, dto: { reason: CloseReason; note?: string }, expected?: number): Promise<object> {
    await this.db.transaction(async (tx) => {
      const row = await this.lockVisible(tx, user, id);
      if (!CasePolicy.canClose(user, subject(row))) throw new Problem(403, 'forbidden', 'Forbidden', 'Only the group’s coordinator or chair closes a case.');
      this.checkVersion(row, expected);
      if (row.status === 'closed') throw Problem.conflict('case-already-closed', 'The case is already closed.');
      await this.closeLocked(tx, row, dto.reason, dto.note, user.id);
    });
    return this.get(user, id);
  }

  /**
   * Closes an open case without a person's request, inside the caller's transaction, when
   * `stillDue` (asked with the case row locked) says so: the same notices, the audit row with no
   * actor. Locking first serialises the callers: of two transactions each completing one of the
   * last two actions, the second waits, then sees the first's work and closes the case. Returns
   * whether it closed. The caller records nothing after this (audit last).
   */
  async closeAutomatically(tx: EntityManager, caseId: string, reason: CloseReason, stillDue: () => Promise<boolean>): Promise<boolean> {
    const row = await this.lockCase(tx, caseId);
    if (!row || row.status === 'closed' || !(await stillDue())) return false;
    await this.closeLocked(tx, row, reason, undefined, null);
    return true;
  }

  private closureListeners: ClosureListener[] = [];

  /** Modules whose work on a case must stop when it closes (open actions are cancelled) register here. */
  onClosure(listener: ClosureListener): void {
    this.closureListeners.push(listener);
  }

  /** The case row is locked (FOR UPDATE) and open. Listeners run before the audit row. */
  private async closeLocked(tx: EntityManager, row: CaseRow, reason: CloseReason, note: string | undefined, actorId: string | null): Promise<void> {
    const id = row.id;
    const now = this.clock.now();
    const version = row.version + 1;
    await tx.query(
      `UPDATE cases SET status = 'closed', closed_at = $2, close_reason = $3, close_note_enc = $4, version = $5, updated_at = $2 WHERE id = $1`,
      [id, now, reason, note ? this.crypto.encrypt(note, { table: 'cases', column: 'close_note', rowId: id }) : null, version],
    );
    for (const listener of this.closureListeners) await listener(tx, id, reason);
    const group = await this.groups.find(row.group_id, tx);
    for (const agency of group ? await this.agencies.activeMailboxes(group.agencyIds, tx) : []) {
      await this.notifications.enqueue(tx, {
        kind: CASE_CLOSED,
        recipient: agency.email,
        locale: group!.settings.locale,
        params: { reference: row.reference, path: `/cases/${id}` },
        idempotencyKey: `${CASE_CLOSED}-${id}-${agency.id}-v${version}`,
        groupId: row.group_id,
      });
    }
    await this.audit.record(tx, {
      action: 'case.close', objectType: 'case', objectId: id, groupId: row.group_id, subjectIds: [row.victim_id, ...row.perpetrator_ids, ...row.child_ids],
      ...(actorId === null ? { actor: null } : {}),
      details: { caseRef: row.reference, fromState: 'open', toState: 'closed', reasonCode: reason, version },
    });
    if (reason === 'consent_withdrawn') {
      // Withdrawal of consent stops further sharing (DOMAIN.md step 3): its own row, for the data subject's report.
      await this.audit.record(tx, {
        action: 'case.consent-withdrawn', objectType: 'case', objectId: id, groupId: row.group_id, subjectIds: [row.victim_id],
        details: { caseRef: row.reference, reasonCode: 'consent_withdrawn', result: 'success' },
      });
    }
  }

  /** The victim's views and wishes, oldest first, from the arrays of SELECT_CASE_WITH_VIEWS. */
  private victimViews(row: VictimViewColumns): Array<{ views: string; wishes: string | null; recordedAt: string; recordedBy: string }> {
    return (row.view_ids ?? []).map((id, i) => ({
      views: this.crypto.decrypt(row.view_views_enc![i], { table: 'victim_views', column: 'views', rowId: id }),
      wishes: row.view_wishes_enc![i] ? this.crypto.decrypt(row.view_wishes_enc![i]!, { table: 'victim_views', column: 'wishes', rowId: id }) : null,
      recordedAt: row.view_recorded_at![i].toISOString(),
      recordedBy: row.view_recorded_by![i],
    }));
  }

  private async lockCase(tx: EntityManager, id: string): Promise<CaseRow | undefined> {
    return (await tx.query(`${SELECT_CASE} WHERE c.id = $1 FOR UPDATE OF c`, [id]))[0];
  }

  /** The case locked for a change, or 404 when it does not exist or the user may not see it. */
  private async lockVisible(tx: EntityManager, user: AuthUser, id: string): Promise<CaseRow> {
    const row = await this.lockCase(tx, id);
    if (!row || !(await this.maySee(tx, user, row))) throw Problem.notFound('The case');
    return row;
  }

  private checkVersion(row: CaseRow, expected?: number): void {
    if (expected !== undefined && expected !== row.version) throw versionConflict();
  }

  /** The cases a user may see (decided in SQL, as CasePolicy decides one), without personal data. */
  async list(user: AuthUser, q: { groupId?: string; status?: string; limit?: number; cursor?: string }): Promise<{ items: object[]; nextCursor: string | null }> {
    const limit = q.limit ?? 50;
    const after = q.cursor ? decodeKeysetCursor(q.cursor) : undefined;
    const staffGroups = groupsWithRole(user, 'coordinator', 'chair');
    // Need to know of a member agency's representative: open cases on a published agenda of the group.
    const repGroups = groupsWithRole(user, 'agency_rep');
    const publishedAgendaCases = this.ports.publishedAgendaCases;
    const repCases = user.agencyId && repGroups.length && publishedAgendaCases ? await publishedAgendaCases(this.db, user.agencyId, repGroups) : [];
    const rows: CaseRow[] = await this.db.query(
      `${SELECT_CASE}
        WHERE ($1::uuid IS NULL OR c.group_id = $1) AND ($2::text IS NULL OR c.status = $2)
          AND (CASE WHEN cardinality(coalesce(c.restricted_to, '{}')) > 0 THEN $3 = ANY(c.restricted_to)
                    ELSE c.group_id = ANY($4::uuid[]) OR c.advocate_user_id = $3
                         OR EXISTS (SELECT 1 FROM referrals r WHERE r.case_id = c.id AND r.author_id = $3)
                         OR (c.status = 'open' AND c.id = ANY($8::uuid[])) END)
          AND ($5::timestamptz IS NULL OR (c.opened_at, c.id) < ($5, $6::uuid))
        ORDER BY c.opened_at DESC, c.id DESC LIMIT $7`,
      [q.groupId ?? null, q.status ?? null, user.id, staffGroups, after?.at ?? null, after?.id ?? null, limit + 1, repCases],
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => this.summary(r)),
      nextCursor: rows.length > limit && last ? encodeKeysetCursor(last.opened_at, last.id) : null,
    };
  }

  /** CasePolicy, with the published-agenda fact looked up only for a member agency's representative of an open case. */
  private async maySee(tx: EntityManager, user: AuthUser, row: CaseRow): Promise<boolean> {
    const s = subject(row);
    if (CasePolicy.canSee(user, s)) return true;
    const publishedAgendaAccess = this.ports.publishedAgendaAccess;
    if (!CasePolicy.mayBeAgencyRepOf(user, s) || !publishedAgendaAccess) return false;
    const onPublishedAgenda = await publishedAgendaAccess(tx, row.id, row.group_id, user.agencyId!);
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
  return { groupId: r.group_id, status: r.status, advocateAgencyId: r.advocate_agency_id, advocateUserId: r.advocate_user_id, restrictedTo: r.restricted_to, authorIds: r.author_ids };
}

