/**
 * The SQL of the actions module's own tables (`actions`, `action_events`) and the mapping of a
 * row to its view. Every function takes the caller's manager (its transaction). Internal to the
 * module. The case's reference, restriction and victim come from `cases` in the same statement
 * (a read-only join, as the conferences module does for references).
 */
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { FieldCryptoService } from '../../platform/crypto/field-crypto.service.js';
import { decodeKeysetCursor, encodeKeysetCursor } from '../../common/pagination.js';
import { groupsWithRole, type AuthUser } from '../../common/request-context.js';
import type { AuditEntry } from '../audit/audit-entry.js';
import type { ActionDto, ActionEventDto, ActionPageDto, ActionStatus, ListActionsQuery } from './dto/action.dto.js';
import { OPEN_STATUSES } from './dto/action.dto.js';

export type Queryable = EntityManager | DataSource;

export interface ActionRow {
  id: string;
  case_id: string;
  group_id: string;
  agency_id: string;
  conference_id: string | null;
  agenda_item_id: string | null;
  description_enc: Buffer;
  due_date: string;
  status: ActionStatus;
  assigned_at: Date;
  acknowledged_at: Date | null;
  completed_at: Date | null;
  outcome_enc: Buffer | null;
  reason_enc: Buffer | null;
  escalation_level: number;
  version: number;
  case_reference: string;
  case_status: 'open' | 'closed';
  victim_id: string;
  restricted_to: string[] | null;
  agency_name: string;
  agency_email: string;
  agency_active: boolean;
}

export const SELECT_ACTION = `
  SELECT a.id, a.case_id, a.group_id, a.agency_id, a.conference_id, a.agenda_item_id, a.description_enc, a.due_date::text AS due_date,
         a.status, a.assigned_at, a.acknowledged_at, a.completed_at, a.outcome_enc, a.reason_enc, a.escalation_level, a.version,
         cs.reference AS case_reference, cs.status AS case_status, cs.victim_id, cs.restricted_to,
         ag.name AS agency_name, ag.email AS agency_email, ag.active AS agency_active
    FROM actions a JOIN cases cs ON cs.id = a.case_id JOIN agencies ag ON ag.id = a.agency_id`;

/** `GET /actions`'s page size when the request names none. */
export const INBOX_PAGE_SIZE = 50;

/** What `GET /actions` asks for, resolved to the caller's scope (ActionsService.list). */
export interface ListActionsParams {
  /** Groups whose every action the caller sees (coordinator, chair). */
  staffGroups: string[];
  /** The caller's agency, and the groups where they see only its actions (representative; none of staffGroups). */
  agencyId: string | null;
  repGroups: string[];
  /** The caller (restricted cases name the people who may see them). */
  userId: string;
  filters: { agencyId?: string; groupId?: string; caseId?: string; statuses?: string[]; overdue?: boolean };
  /** Today (Helsinki), for the overdue filter. */
  today: string;
  /** The keyset cursor: the last row's due date and id. */
  after?: { due: string; id: string };
  /** Rows to return (the page size plus one). */
  limit: number;
}

/**
 * `GET /actions`, a page of the caller's scope by due date, as one statement.
 *
 * The scope is taken one group at a time — a LATERAL subquery per group, each an ordered index
 * scan that stops after a page (actions_group_due_idx for a group's staff,
 * actions_agency_group_due_idx for a representative) — and merged by due date. A single
 * `group_id = ANY($1) OR (agency_id = $2 AND group_id = ANY($3))` made PostgreSQL gather and
 * sort every action in scope: 90 ms a page with a million actions (bench/RESULTS.md).
 *
 * Only the branches and filters the request uses are written into the statement. One static
 * text with every filter as `($n IS NULL OR …)` and both branches always present cost
 * PostgreSQL 2.3 ms to plan on every call, for 0.3 ms of execution; the representative's text
 * here plans in 0.56–0.65 ms (log_planner_stats; bench/RESULTS.md, 2026-12-04). The texts differ
 * only by which filters are present, never by values: every value is a parameter, except a
 * limit of the default page (below).
 *
 * With one group in scope (a representative of one group, the coordinator of one) and no status
 * or overdue filter, the statement is that group's ordered scan alone, without `unnest`, LATERAL
 * and the merge. PostgreSQL can then keep a generic plan for it: the prepared statement is planned once per connection instead
 * of on every call, which the `unnest` form never was (its generic plan assumes 10 groups, so the
 * plan cache keeps planning it afresh). That needs the LIMIT in the text too (a `LIMIT $n` makes
 * the generic plan's estimate assume a tenth of the rows), so the default page's limit is written
 * as a number. Any other page size stays a parameter, so the texts stay bounded: the one-group
 * forms add 2 × 16 filter combinations, each with a parameter or the literal limit. A status or
 * overdue filter keeps the merge form (see `only`). Measured on the representative's first
 * page (`EXPLAIN ANALYZE EXECUTE` after 8 executions): 0.35–0.56 ms to plan and 0.29–0.60 ms to
 * run before, 0.005–0.018 ms and 0.16–0.30 ms after (bench/RESULTS.md, 2026-12-05 session from
 * 07:56 UTC).
 */
export function listActionsQuery(p: ListActionsParams): { text: string; values: unknown[] } | undefined {
  const values: unknown[] = [];
  const $ = (v: unknown, cast = '') => `$${values.push(v)}${cast}`;
  // `restricted_to IS NULL` first: the planner has statistics for it (almost every case), and with
  // only the cardinality() test it guessed that few rows pass and gathered and sorted them all.
  const filters = [`(cs.restricted_to IS NULL OR cardinality(cs.restricted_to) = 0 OR ${$(p.userId, '::uuid')} = ANY(cs.restricted_to))`];
  const f = p.filters;
  if (f.agencyId) filters.push(`a.agency_id = ${$(f.agencyId, '::uuid')}`);
  if (f.groupId) filters.push(`a.group_id = ${$(f.groupId, '::uuid')}`);
  if (f.caseId) filters.push(`a.case_id = ${$(f.caseId, '::uuid')}`);
  if (f.statuses) filters.push(`a.status = ANY(${$(f.statuses, '::text[]')})`);
  if (f.overdue !== undefined) filters.push(`${f.overdue ? '' : 'NOT '}(a.status = ANY(${$([...OPEN_STATUSES], '::text[]')}) AND a.due_date < ${$(p.today, '::date')})`);
  if (p.after) filters.push(`(a.due_date, a.id) > (${$(p.after.due, '::date')}, ${$(p.after.id, '::uuid')})`);
  // Each scope: its groups, and the condition that takes one of them (a parameter, or the
  // merge form's `scope.group_id`).
  const repGroups = p.agencyId ? p.repGroups : [];
  const scopes: Array<{ groups: string[]; where: (group: string) => string }> = [];
  if (p.staffGroups.length) scopes.push({ groups: p.staffGroups, where: (group) => `a.group_id = ${group}` });
  if (repGroups.length) scopes.push({ groups: repGroups, where: (group) => `a.agency_id = ${$(p.agencyId, '::uuid')} AND a.group_id = ${group}` });
  // The one-group form (see above), unless a status or overdue filter is given: a generic plan
  // cannot prove that `status = ANY($n)` matches the partial index of open actions
  // (actions_open_idx), and for a coordinator's overdue page it read the group's history in
  // due-date order instead: 85 ms against 3.3 ms (plan_cache_mode forced, bench/RESULTS.md). Such a
  // request keeps the form that is planned on every call, with its values. The default page's
  // limit is written into the one-group form's text; in the others it would change nothing.
  const [only] = scopes.length === 1 && scopes[0]!.groups.length === 1 && !f.statuses && f.overdue === undefined ? scopes : [];
  const limit = only && p.limit === INBOX_PAGE_SIZE + 1 ? String(p.limit) : $(p.limit, '::int');
  const tail = `${filters.map((c) => `AND ${c}`).join(' ')} ORDER BY a.due_date, a.id LIMIT ${limit}`;
  if (only) return { text: `${SELECT_ACTION} WHERE ${only.where($(only.groups[0], '::uuid'))} ${tail}`, values };
  const branches = scopes.map(
    (scope) => `SELECT x.* FROM unnest(${$(scope.groups, '::uuid[]')}) AS scope (group_id)
      CROSS JOIN LATERAL (${SELECT_ACTION} WHERE ${scope.where('scope.group_id')} ${tail}) x`,
  );
  if (!branches.length) return undefined;
  return { text: `SELECT page.* FROM (${branches.join(' UNION ALL ')}) page ORDER BY page.due_date, page.id LIMIT ${limit}`, values };
}

/**
 * `GET /actions` for this caller (ActionsService.list): the statement (undefined when no group is
 * in scope) and the page size. Distinct groups: the statement scans once per group given, so a
 * coordinator who is also the chair of the same group would see every action of it twice.
 */
export function inboxStatement(user: AuthUser, q: ListActionsQuery, today: string): { statement?: { text: string; values: unknown[] }; limit: number } {
  const staffGroups = groupsWithRole(user, 'coordinator', 'chair');
  const repGroups = user.agencyId ? groupsWithRole(user, 'agency_rep') : [];
  const limit = q.limit ?? INBOX_PAGE_SIZE;
  const after = q.cursor ? decodeKeysetCursor(q.cursor) : undefined;
  const statement = listActionsQuery({
    staffGroups,
    agencyId: user.agencyId ?? null,
    repGroups: repGroups.filter((g) => !staffGroups.includes(g)),
    userId: user.id,
    filters: { agencyId: q.agencyId, groupId: q.groupId, caseId: q.caseId, statuses: q.status ? q.status.split(',') : undefined, overdue: q.overdue },
    today,
    after: after ? { due: after.at.slice(0, 10), id: after.id } : undefined,
    limit: limit + 1,
  });
  return { statement, limit };
}

/** The page of `GET /actions` from its statement's rows (the page size plus one), decrypted, and the audit entry of the page (none when it is empty). */
export function inboxPage(rows: ActionRow[], limit: number, q: ListActionsQuery, crypto: FieldCryptoService, today: string): { page: ActionPageDto; audit?: AuditEntry } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    page: {
      items: page.map((r) => toActionDto(r, crypto, today)),
      nextCursor: rows.length > limit && last ? encodeKeysetCursor(new Date(`${last.due_date}T00:00:00.000Z`), last.id) : null,
    },
    audit: page.length
      ? {
          action: 'action.list', objectType: 'action', groupId: q.groupId ?? null, subjectIds: [...new Set(page.map((r) => r.victim_id))],
          details: { count: page.length, actionId: page.map((r) => r.id), ...(q.agencyId ? { agencyId: q.agencyId } : {}) },
        }
      : undefined,
  };
}

export async function findAction(m: Queryable, id: string, lock = false): Promise<ActionRow | undefined> {
  const [row] = await m.query(`${SELECT_ACTION} WHERE a.id = $1${lock ? ' FOR UPDATE OF a' : ''}`, [id]);
  return row;
}

export interface NewEvent {
  event: string;
  actorId: string | null;
  fromStatus?: ActionStatus | null;
  toStatus?: ActionStatus | null;
  agencyId?: string | null;
  dueDate?: string | null;
  escalationLevel?: number | null;
  /** Extra ids and flags (never free text). */
  extra?: Record<string, string | number | boolean>;
  reason?: string | null;
}

/** One line of the action's history; a reason is encrypted bound to the event row. */
export async function addEvent(m: EntityManager, crypto: FieldCryptoService, actionId: string, at: Date, e: NewEvent): Promise<void> {
  const id = randomUUID();
  const details = {
    ...(e.agencyId ? { agencyId: e.agencyId } : {}),
    ...(e.dueDate ? { dueDate: e.dueDate } : {}),
    ...(e.escalationLevel !== undefined && e.escalationLevel !== null ? { escalationLevel: e.escalationLevel } : {}),
    ...(e.extra ?? {}),
  };
  await m.query(
    `INSERT INTO action_events (id, action_id, at, actor_id, event, from_status, to_status, details, reason_enc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      id,
      actionId,
      at,
      e.actorId,
      e.event,
      e.fromStatus ?? null,
      e.toStatus ?? null,
      JSON.stringify(details),
      e.reason ? crypto.encrypt(e.reason, { table: 'action_events', column: 'reason', rowId: id }) : null,
    ],
  );
}

export async function loadHistory(m: Queryable, crypto: FieldCryptoService, actionId: string): Promise<ActionEventDto[]> {
  const rows: Array<{ id: string; at: Date; actor_id: string | null; event: string; from_status: string | null; to_status: string | null; details: Record<string, unknown>; reason_enc: Buffer | null }> =
    await m.query(`SELECT id, at, actor_id, event, from_status, to_status, details, reason_enc FROM action_events WHERE action_id = $1 ORDER BY seq`, [actionId]);
  return rows.map((r) => ({
    at: r.at.toISOString(),
    event: r.event,
    actorId: r.actor_id,
    fromStatus: r.from_status,
    toStatus: r.to_status,
    agencyId: (r.details.agencyId as string | undefined) ?? null,
    dueDate: (r.details.dueDate as string | undefined) ?? null,
    escalationLevel: (r.details.escalationLevel as number | undefined) ?? null,
    reason: r.reason_enc ? crypto.decrypt(r.reason_enc, { table: 'action_events', column: 'reason', rowId: r.id }) : null,
  }));
}

export function isOverdue(r: Pick<ActionRow, 'status' | 'due_date'>, today: string): boolean {
  return OPEN_STATUSES.includes(r.status) && r.due_date < today;
}

export function toActionDto(r: ActionRow, crypto: FieldCryptoService, today: string): ActionDto {
  const ctx = (column: string) => ({ table: 'actions', column, rowId: r.id });
  return {
    id: r.id,
    caseId: r.case_id,
    caseReference: r.case_reference,
    groupId: r.group_id,
    agencyId: r.agency_id,
    agencyName: r.agency_name,
    conferenceId: r.conference_id,
    agendaItemId: r.agenda_item_id,
    description: crypto.decrypt(r.description_enc, ctx('description')),
    dueDate: r.due_date,
    status: r.status,
    assignedAt: r.assigned_at.toISOString(),
    acknowledgedAt: r.acknowledged_at?.toISOString() ?? null,
    completedAt: r.completed_at?.toISOString() ?? null,
    outcome: r.outcome_enc ? crypto.decrypt(r.outcome_enc, ctx('outcome')) : null,
    reason: r.reason_enc ? crypto.decrypt(r.reason_enc, ctx('reason')) : null,
    overdue: isOverdue(r, today),
    escalationLevel: r.escalation_level,
    version: r.version,
  };
}
