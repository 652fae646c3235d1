/**
 * The SQL of the actions module's own tables (`actions`, `action_events`) and the mapping of a
 * row to its view. Every function takes the caller's manager (its transaction). Internal to the
 * module. The case's reference, restriction and victim come from `cases` in the same statement
 * (a read-only join, as the conferences module does for references).
 */
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { FieldCryptoService } from '../../platform/crypto/field-crypto.service.js';
import type { ActionDto, ActionEventDto, ActionStatus } from './dto/action.dto.js';
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

// `restricted_to IS NULL` first: the planner has statistics for it (almost every case), and with
// only the cardinality() test it guessed that few rows pass and gathered and sorted them all.
const LIST_FILTERS = `
      AND (cs.restricted_to IS NULL OR cardinality(cs.restricted_to) = 0 OR $4::uuid = ANY(cs.restricted_to))
      AND ($5::uuid IS NULL OR a.agency_id = $5) AND ($6::uuid IS NULL OR a.group_id = $6) AND ($7::uuid IS NULL OR a.case_id = $7)
      AND ($8::text[] IS NULL OR a.status = ANY($8::text[]))
      AND ($9::boolean IS NULL OR (a.status = ANY($10::text[]) AND a.due_date < $11::date) = $9)
      AND ($12::date IS NULL OR (a.due_date, a.id) > ($12::date, $13::uuid))
    ORDER BY a.due_date, a.id
    LIMIT $14`;

/**
 * `GET /actions`, a page of the caller's scope by due date. Parameters: $1 the groups whose
 * every action the caller sees (coordinator, chair), $2 the caller's agency and $3 the groups
 * where they see only its actions (representative; none of $1), $4 the caller (restricted cases),
 * $5–$8 the agency, group, case and status filters, $9 overdue (with $10 the open statuses and
 * $11 today), $12/$13 the cursor's due date and id, $14 the page size (plus one).
 *
 * The scope is taken one group at a time — a LATERAL subquery per group, each an ordered index
 * scan that stops after a page (actions_group_due_idx for a group's staff,
 * actions_agency_group_due_idx for a representative) — and merged by due date. A single
 * `group_id = ANY($1) OR (agency_id = $2 AND group_id = ANY($3))` made PostgreSQL gather and
 * sort every action in scope: 90 ms a page with a million actions (bench/RESULTS.md).
 */
export const LIST_ACTIONS = `
  SELECT page.* FROM (
    SELECT x.* FROM unnest($1::uuid[]) AS scope (group_id)
      CROSS JOIN LATERAL (${SELECT_ACTION} WHERE a.group_id = scope.group_id ${LIST_FILTERS}) x
    UNION ALL
    SELECT x.* FROM unnest($3::uuid[]) AS scope (group_id)
      CROSS JOIN LATERAL (${SELECT_ACTION} WHERE a.agency_id = $2::uuid AND a.group_id = scope.group_id ${LIST_FILTERS}) x
  ) page
  ORDER BY page.due_date, page.id
  LIMIT $14`;

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
