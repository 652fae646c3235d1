import { randomUUID } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { addWorkingDays, deadlineDate, isCalendarDate, toHelsinkiDate } from '../../../libs/business-calendar/index.js';
import { Problem } from '../../common/problems/problem.js';
import { RequestValidationError } from '../../common/problems/validation.js';
import { groupsWithRole, type AuthUser } from '../../common/request-context.js';
import { Clock } from '../../platform/clock/clock.js';
import { FieldCryptoService } from '../../platform/crypto/field-crypto.service.js';
import { AuditService } from '../audit/audit.service.js';
import { CasesService } from '../cases/cases.service.js';
import type { ActionsPort, OutcomeActionInput, RecordedAction } from '../conferences/actions-port.js';
import { ConferencesService } from '../conferences/conferences.service.js';
import { GroupsService } from '../groups/groups.service.js';
import { AgenciesService } from '../identity/agencies.service.js';
import { ActionLadderService } from './action-ladder.service.js';
import { ActionPolicy, type ActionSubject } from './action.policy.js';
import { SELECT_ACTION, addEvent, findAction, inboxPage, inboxStatement, loadHistory, toActionDto, type ActionRow } from './action-store.js';
import { OPEN_STATUSES, type ActionDto, type ActionPageDto, type ActionStatus, type ListActionsQuery } from './dto/action.dto.js';

const wrongState = (status: ActionStatus, wanted: string) =>
  Problem.conflict('action-wrong-state', `The action is ${status}; ${wanted}.`);
const versionConflict = () => Problem.conflict('version-conflict', 'The action was changed by someone else; reload and try again.');

type Change = {
  /** The audit action's verb: `action.<verb>`. */
  verb: string;
  /** The states the change starts from (else 409 action-wrong-state). */
  from: readonly ActionStatus[];
  wanted: string;
  who: 'owner' | 'staff';
};

/**
 * Agency actions (DOMAIN.md step 8): created from a conference outcome (the ActionsPort of the
 * conferences module), acknowledged, completed, declined or found not possible by the owning
 * agency, reassigned, edited or cancelled by the coordinator or chair. Every change writes a line
 * of history (`action_events`) and an audit row, and restarts or stops the ladder
 * (ActionLadderService). When every action of a case is completed or cancelled, and the case
 * does not wait for a hearing, the case closes by itself with a notice to the member agencies.
 */
@Injectable()
export class ActionsService implements ActionsPort, OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly crypto: FieldCryptoService,
    private readonly groups: GroupsService,
    private readonly agencies: AgenciesService,
    private readonly cases: CasesService,
    private readonly conferences: ConferencesService,
    private readonly ladder: ActionLadderService,
  ) {}

  onModuleInit(): void {
    this.conferences.useActions(this);
    // A case closed by a person (consent withdrawn, moved away, …): its open actions stop.
    this.cases.onClosure((tx, caseId) => this.cancelOpenActionsOfCase(tx, caseId));
    this.cases.provide({
      // GET /cases/:id lists the actions the reader may see (an agency representative: their own agency's).
      actions: async (tx, caseId, user) => {
        const rows: ActionRow[] = await tx.query(`${SELECT_ACTION} WHERE a.case_id = $1 ORDER BY a.due_date, a.id`, [caseId]);
        const today = this.today();
        return rows.filter((r) => ActionPolicy.canSee(user, subjectOf(r))).map((r) => toActionDto(r, this.crypto, today));
      },
    });
  }

  // --- the port: outcome → actions ---------------------------------------------------------

  async createForOutcome(
    tx: EntityManager,
    p: { actor: AuthUser; groupId: string; caseId: string; conferenceId: string; agendaItemId: string; meetingDate: string; actions: OutcomeActionInput[] },
  ): Promise<RecordedAction[]> {
    const group = await this.groups.find(p.groupId, tx);
    if (!group) throw Problem.notFound('The group');
    const planned = [];
    for (const [i, a] of p.actions.entries()) {
      const agency = await this.agencies.find(a.agencyId, tx);
      if (!agency?.active || !group.agencyIds.includes(a.agencyId)) {
        throw Problem.unprocessable('action-agency-not-member', 'Not a member agency', 'Each action belongs to an active member agency of the group.', {
          errors: [{ field: `actions[${i}].agencyId`, message: 'not an active member agency of the group' }],
        });
      }
      planned.push({ input: a, dueDate: this.dueDateOf(a, p.meetingDate, `actions[${i}]`) });
    }
    const now = this.clock.now();
    const out: RecordedAction[] = [];
    for (const { input, dueDate } of planned) {
      const id = randomUUID();
      await tx.query(
        `INSERT INTO actions (id, case_id, group_id, agency_id, conference_id, agenda_item_id, description_enc, due_date, status, assigned_at, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'assigned', $9, $10, $9, $9)`,
        [id, p.caseId, p.groupId, input.agencyId, p.conferenceId, p.agendaItemId, this.crypto.encrypt(input.description, this.ctx(id, 'description')), dueDate, now, p.actor.id],
      );
      await addEvent(tx, this.crypto, id, now, { event: 'assigned', actorId: p.actor.id, toStatus: 'assigned', agencyId: input.agencyId, dueDate, extra: { conferenceId: p.conferenceId } });
      const row = (await findAction(tx, id))!;
      await this.ladder.schedule(tx, row, group.settings, { acknowledge: true, due: true }, 1);
      await this.ladder.mailAgency(tx, 'action.assigned', row, group.settings, 'v1');
      out.push({ id, agencyId: input.agencyId, agencyName: row.agency_name, description: input.description, dueDate, status: 'assigned' });
    }
    // A review hearing that agreed nothing new may leave every action done: the case closes.
    if (out.length === 0) await this.closeCaseIfDone(tx, p.caseId);
    for (const a of out) {
      await this.audit.record(tx, {
        action: 'action.create', objectType: 'action', objectId: a.id, groupId: p.groupId,
        details: { actionId: a.id, caseId: p.caseId, conferenceId: p.conferenceId, agencyId: a.agencyId, dueDate: a.dueDate, toState: 'assigned' },
      });
    }
    return out;
  }

  async actionsOfItems(manager: EntityManager, itemIds: string[]): Promise<Array<RecordedAction & { agendaItemId: string }>> {
    if (itemIds.length === 0) return [];
    const rows: ActionRow[] = await manager.query(`${SELECT_ACTION} WHERE a.agenda_item_id = ANY($1::uuid[]) ORDER BY a.created_at, a.id`, [itemIds]);
    return rows.map((r) => ({
      id: r.id,
      agendaItemId: r.agenda_item_id!,
      agencyId: r.agency_id,
      agencyName: r.agency_name,
      description: this.crypto.decrypt(r.description_enc, this.ctx(r.id, 'description')),
      dueDate: r.due_date,
      status: r.status,
    }));
  }

  // --- reads -------------------------------------------------------------------------------

  /** `GET /actions/:id` with its history; 404 unless ActionPolicy.canSee. Audited as a read of case data. */
  async get(user: AuthUser, id: string): Promise<ActionDto> {
    return this.db.transaction(async (tx) => {
      const row = await findAction(tx, id);
      if (!row || !ActionPolicy.canSee(user, subjectOf(row))) throw Problem.notFound('The action');
      const view = { ...toActionDto(row, this.crypto, this.today()), history: await loadHistory(tx, this.crypto, id) };
      await this.audit.record(tx, {
        action: 'action.read', objectType: 'action', objectId: id, groupId: row.group_id, subjectIds: [row.victim_id],
        details: { actionId: id, caseId: row.case_id, caseRef: row.case_reference },
      });
      return view;
    });
  }

  /**
   * `GET /actions`: the coordinators and chairs see their groups' actions; an agency
   * representative only their own agency's (naming another agency is 403). Filters: status (one
   * or several), overdue, case, group. By due date, then id; keyset-paginated.
   */
  async list(user: AuthUser, q: ListActionsQuery): Promise<ActionPageDto> {
    if (q.agencyId && q.agencyId !== user.agencyId && groupsWithRole(user, 'coordinator', 'chair').length === 0) {
      throw new Problem(403, 'not-your-agency', 'Forbidden', 'An agency representative sees only the actions of their own agency.');
    }
    const today = this.today();
    const { statement, limit } = inboxStatement(user, q, today);
    if (!statement) return { items: [], nextCursor: null }; // no group in scope: nothing to see, nothing read
    return this.db.transaction(async (tx) => {
      const rows: ActionRow[] = await tx.query(statement.text, statement.values);
      // Decrypted before the audit row: the audit chain's lock is held from that row to the commit.
      const { page, audit } = inboxPage(rows, limit, q, this.crypto, today);
      if (audit) await this.audit.record(tx, audit);
      return page;
    });
  }

  // --- the owning agency -------------------------------------------------------------------

  acknowledge(user: AuthUser, id: string, expected?: number): Promise<ActionDto> {
    return this.change(user, id, expected, { verb: 'acknowledge', from: ['assigned'], wanted: 'only an assigned action is acknowledged', who: 'owner' }, async (tx, row, now) => {
      await tx.query(`UPDATE actions SET status = 'acknowledged', acknowledged_at = $2, version = version + 1, updated_at = $2 WHERE id = $1`, [id, now]);
      await this.ladder.cancel(tx, id, { acknowledge: true, due: false });
      await addEvent(tx, this.crypto, id, now, { event: 'acknowledged', actorId: user.id, fromStatus: row.status, toStatus: 'acknowledged' });
      return { toState: 'acknowledged' };
    });
  }

  /** Completes an assigned or acknowledged action (an unacknowledged one counts as acknowledged now). */
  complete(user: AuthUser, id: string, outcome: string, expected?: number): Promise<ActionDto> {
    return this.change(user, id, expected, { verb: 'complete', from: ['assigned', 'acknowledged'], wanted: 'only an open action of your agency is completed', who: 'owner' }, async (tx, row, now) => {
      await tx.query(
        `UPDATE actions SET status = 'completed', acknowledged_at = coalesce(acknowledged_at, $2), completed_at = $2, closed_at = $2, outcome_enc = $3,
                version = version + 1, updated_at = $2 WHERE id = $1`,
        [id, now, this.crypto.encrypt(outcome, this.ctx(id, 'outcome'))],
      );
      await this.ladder.cancel(tx, id, { acknowledge: true, due: true });
      await addEvent(tx, this.crypto, id, now, { event: 'completed', actorId: user.id, fromStatus: row.status, toStatus: 'completed' });
      await this.closeCaseIfDone(tx, row.case_id);
      return { toState: 'completed' };
    });
  }

  /** Declined with a reason: the coordinators are told at once and must reassign or cancel; the overdue rungs for the group keep running. */
  decline(user: AuthUser, id: string, reason: string, expected?: number): Promise<ActionDto> {
    return this.change(user, id, expected, { verb: 'decline', from: ['assigned', 'acknowledged'], wanted: 'only an open action of your agency is declined', who: 'owner' }, async (tx, row, now, settings) => {
      await tx.query(`UPDATE actions SET status = 'declined', reason_enc = $2, version = version + 1, updated_at = $3 WHERE id = $1`, [id, this.crypto.encrypt(reason, this.ctx(id, 'reason')), now]);
      await this.ladder.cancel(tx, id, { acknowledge: true, due: false });
      await addEvent(tx, this.crypto, id, now, { event: 'declined', actorId: user.id, fromStatus: row.status, toStatus: 'declined', reason });
      await this.ladder.mailRole(tx, 'action.declined', row, 'coordinator', settings, `v${row.version + 1}`);
      return { toState: 'declined' };
    });
  }

  /** Not possible (circumstances changed): final, kept apart from "not done" at the review; the coordinators are told. */
  notPossible(user: AuthUser, id: string, reason: string, expected?: number): Promise<ActionDto> {
    return this.change(user, id, expected, { verb: 'not-possible', from: ['assigned', 'acknowledged'], wanted: 'only an open action of your agency can be found not possible', who: 'owner' }, async (tx, row, now, settings) => {
      await tx.query(`UPDATE actions SET status = 'not_possible', reason_enc = $2, closed_at = $3, version = version + 1, updated_at = $3 WHERE id = $1`, [
        id, this.crypto.encrypt(reason, this.ctx(id, 'reason')), now,
      ]);
      await this.ladder.cancel(tx, id, { acknowledge: true, due: true });
      await addEvent(tx, this.crypto, id, now, { event: 'not_possible', actorId: user.id, fromStatus: row.status, toStatus: 'not_possible', reason });
      await this.ladder.mailRole(tx, 'action.not-possible', row, 'coordinator', settings, `v${row.version + 1}`);
      return { toState: 'not_possible' };
    });
  }

  // --- the coordinator or chair ------------------------------------------------------------

  /** To another member agency: assigned again, the ladder restarted, the old agency told it is withdrawn, the new one that it is theirs. */
  reassign(user: AuthUser, id: string, dto: { agencyId: string; reason: string }, expected?: number): Promise<ActionDto> {
    return this.change(user, id, expected, { verb: 'reassign', from: OPEN_STATUSES, wanted: 'only an open action is reassigned', who: 'staff' }, async (tx, row, now, settings) => {
      if (dto.agencyId === row.agency_id) {
        throw Problem.unprocessable('same-agency', 'Same agency', 'The action already belongs to that agency.', { errors: [{ field: 'agencyId', message: 'already the owning agency' }] });
      }
      const agency = await this.agencies.find(dto.agencyId, tx);
      if (!agency?.active || !(await this.groups.isMember(row.group_id, dto.agencyId, tx))) {
        throw Problem.unprocessable('action-agency-not-member', 'Not a member agency', 'An action belongs to an active member agency of the group.', { errors: [{ field: 'agencyId', message: 'not an active member agency of the group' }] });
      }
      const version = row.version + 1;
      await tx.query(
        `UPDATE actions SET agency_id = $2, status = 'assigned', assigned_at = $3, acknowledged_at = NULL, escalation_level = 0, reason_enc = $4,
                version = version + 1, updated_at = $3 WHERE id = $1`,
        [id, dto.agencyId, now, this.crypto.encrypt(dto.reason, this.ctx(id, 'reason'))],
      );
      await this.ladder.cancel(tx, id, { acknowledge: true, due: true });
      await addEvent(tx, this.crypto, id, now, { event: 'reassigned', actorId: user.id, fromStatus: row.status, toStatus: 'assigned', agencyId: dto.agencyId, extra: { fromAgencyId: row.agency_id }, reason: dto.reason });
      const updated = (await findAction(tx, id))!;
      await this.ladder.schedule(tx, updated, settings, { acknowledge: true, due: true }, version);
      await this.ladder.mailAgency(tx, 'action.withdrawn', row, settings, `v${version}`);
      await this.ladder.mailAgency(tx, 'action.assigned', updated, settings, `v${version}`);
      return { toState: 'assigned', agencyId: dto.agencyId };
    });
  }

  /** A new due date (moved to a working day, not before today) restarts the due-date rungs and the escalation level; a new description is kept encrypted. */
  update(user: AuthUser, id: string, dto: { dueDate?: string; description?: string }, expected?: number): Promise<ActionDto> {
    if (dto.dueDate === undefined && dto.description === undefined) throw new RequestValidationError([{ field: 'dueDate', message: 'give dueDate, description or both' }]);
    if (dto.dueDate !== undefined && !isCalendarDate(dto.dueDate)) throw new RequestValidationError([{ field: 'dueDate', message: 'dueDate must be a valid date' }]);
    return this.change(user, id, expected, { verb: 'update', from: OPEN_STATUSES, wanted: 'only an open action is edited', who: 'staff' }, async (tx, row, now, settings) => {
      const version = row.version + 1;
      const due = dto.dueDate === undefined ? row.due_date : deadlineDate(dto.dueDate);
      const dueChanged = due !== row.due_date;
      if (dueChanged && due < this.today()) {
        throw Problem.unprocessable('due-date-in-past', 'Due date in the past', 'A new due date cannot be before today.', { errors: [{ field: 'dueDate', message: 'before today' }] });
      }
      const fields = [...(dto.description !== undefined ? ['description'] : []), ...(dueChanged ? ['dueDate'] : [])];
      // A new due date starts its ladder again from level 0.
      await tx.query(
        `UPDATE actions SET description_enc = coalesce($2, description_enc), due_date = $3,
                escalation_level = CASE WHEN $4 THEN 0 ELSE escalation_level END, version = version + 1, updated_at = $5 WHERE id = $1`,
        [id, dto.description !== undefined ? this.crypto.encrypt(dto.description, this.ctx(id, 'description')) : null, due, dueChanged, now],
      );
      if (dueChanged) {
        await this.ladder.cancel(tx, id, { acknowledge: false, due: true });
        await this.ladder.schedule(tx, { id, due_date: due }, settings, { acknowledge: false, due: true }, version);
      }
      await addEvent(tx, this.crypto, id, now, { event: 'edited', actorId: user.id, dueDate: due, extra: { fields: fields.join(',') } });
      if (dueChanged) await this.ladder.mailAgency(tx, 'action.changed', { ...row, due_date: due }, settings, `v${version}`);
      return { fields, dueDate: due };
    });
  }

  cancel(user: AuthUser, id: string, reason: string, expected?: number): Promise<ActionDto> {
    return this.change(user, id, expected, { verb: 'cancel', from: OPEN_STATUSES, wanted: 'only an open action is cancelled', who: 'staff' }, async (tx, row, now, settings) => {
      await tx.query(`UPDATE actions SET status = 'cancelled', closed_at = $2, reason_enc = $3, version = version + 1, updated_at = $2 WHERE id = $1`, [
        id, now, this.crypto.encrypt(reason, this.ctx(id, 'reason')),
      ]);
      await this.ladder.cancel(tx, id, { acknowledge: true, due: true });
      await addEvent(tx, this.crypto, id, now, { event: 'cancelled', actorId: user.id, fromStatus: row.status, toStatus: 'cancelled', reason });
      await this.ladder.mailAgency(tx, 'action.withdrawn', row, settings, `v${row.version + 1}`);
      await this.closeCaseIfDone(tx, row.case_id);
      return { toState: 'cancelled' };
    });
  }

  // --- shared ------------------------------------------------------------------------------

  /**
   * One change of one action: lock it, 404 unless the user may see it, 403 unless the user is
   * its owner (or staff, for staff changes), 409 on a stale version or a wrong state; then the
   * change, then the audit row last.
   */
  private async change(
    user: AuthUser,
    id: string,
    expected: number | undefined,
    c: Change,
    apply: (tx: EntityManager, row: ActionRow, now: Date, settings: Awaited<ReturnType<GroupsService['settings']>>) => Promise<Record<string, string | string[]>>,
  ): Promise<ActionDto> {
    await this.db.transaction(async (tx) => {
      const row = await findAction(tx, id, true);
      if (!row || !ActionPolicy.canSee(user, subjectOf(row))) throw Problem.notFound('The action');
      const allowed = c.who === 'owner' ? ActionPolicy.canRespond(user, subjectOf(row)) : ActionPolicy.canManage(user, subjectOf(row));
      if (!allowed) {
        throw new Problem(403, c.who === 'owner' ? 'not-action-owner' : 'forbidden', 'Forbidden', c.who === 'owner' ? 'Only the owning agency answers for its action.' : 'Only the group’s coordinator or chair changes an action.');
      }
      if (expected !== undefined && expected !== row.version) throw versionConflict();
      if (row.case_status === 'closed') throw Problem.conflict('case-closed', 'The case is closed.');
      if (!c.from.includes(row.status)) throw wrongState(row.status, c.wanted);
      const settings = await this.groups.settings(row.group_id, tx);
      const details = await apply(tx, row, this.clock.now(), settings);
      await this.audit.record(tx, {
        action: `action.${c.verb}`,
        objectType: 'action', objectId: id, groupId: row.group_id, subjectIds: [row.victim_id],
        details: {
          actionId: id, caseId: row.case_id, fromState: row.status, toState: (details.toState as string | undefined) ?? row.status, version: row.version + 1,
          ...(details.agencyId ? { agencyId: details.agencyId as string } : {}),
          ...(details.fields ? { fields: details.fields as string[] } : {}),
          ...(details.dueDate ? { dueDate: details.dueDate as string } : {}),
        },
      });
    });
    return this.getUnaudited(id);
  }

  /** The view returned by a write (the write's own audit row covers it). */
  private async getUnaudited(id: string): Promise<ActionDto> {
    const row = (await findAction(this.db, id))!;
    return { ...toActionDto(row, this.crypto, this.today()), history: await loadHistory(this.db, this.crypto, id) };
  }

  /**
   * DOMAIN.md step 10: a case whose actions are all completed or cancelled closes by itself,
   * unless it waits for a hearing (a repeat referral, a deferral or a review on an agenda).
   */
  private async closeCaseIfDone(tx: EntityManager, caseId: string): Promise<void> {
    await this.cases.closeAutomatically(tx, caseId, 'actions_completed', async () => {
      // Counted with the case locked, in a statement of its own: it sees every action committed before the lock.
      const [{ total, done }] = await tx.query(
        `SELECT count(*)::int AS total, count(*) FILTER (WHERE status IN ('completed', 'cancelled'))::int AS done FROM actions WHERE case_id = $1`,
        [caseId],
      );
      return total > 0 && done === total && !(await this.conferences.hasPendingHearing(tx, caseId));
    });
  }

  /** The case was closed by a person: its open actions are cancelled (no mail: the case's closure notice went to every member agency). */
  private async cancelOpenActionsOfCase(tx: EntityManager, caseId: string): Promise<void> {
    const open: Array<{ id: string; status: ActionStatus }> = await tx.query(
      `SELECT id, status FROM actions WHERE case_id = $1 AND status = ANY($2::text[]) ORDER BY id FOR UPDATE`,
      [caseId, OPEN_STATUSES],
    );
    const now = this.clock.now();
    for (const a of open) {
      await tx.query(`UPDATE actions SET status = 'cancelled', closed_at = $2, version = version + 1, updated_at = $2 WHERE id = $1`, [a.id, now]);
      await this.ladder.cancel(tx, a.id, { acknowledge: true, due: true });
      await addEvent(tx, this.crypto, a.id, now, { event: 'cancelled', actorId: null, fromStatus: a.status, toStatus: 'cancelled', extra: { reasonCode: 'case_closed' } });
    }
  }

  /**
   * The due date: `dueInWorkingDays` from the meeting, or `dueDate` moved to a working day, which
   * must come after the meeting (422). The shape (exactly one of the two, a real date, 1–250 days)
   * is the edge's to check (RecordOutcomeDto, meeting-rules.ts).
   */
  private dueDateOf(a: OutcomeActionInput, meetingDate: string, field: string): string {
    if (a.dueInWorkingDays !== undefined && a.dueInWorkingDays !== null) return addWorkingDays(meetingDate, a.dueInWorkingDays);
    const due = deadlineDate(a.dueDate!);
    if (due <= meetingDate) {
      throw Problem.unprocessable('due-date-not-after-meeting', 'Due date not after the meeting', 'An action is due after the meeting that agrees it.', { errors: [{ field: `${field}.dueDate`, message: 'on or before the meeting' }] });
    }
    return due;
  }

  private today(): string {
    return toHelsinkiDate(this.clock.now());
  }

  private ctx(rowId: string, column: string) {
    return { table: 'actions', column, rowId };
  }
}

function subjectOf(r: ActionRow): ActionSubject {
  return { groupId: r.group_id, agencyId: r.agency_id, restrictedTo: r.restricted_to };
}
