/**
 * The SQL of the conferences module's own tables (`conferences`, `agenda_items`), shared by
 * ConferencesService and AgendaService. Every function takes the caller's manager, so it runs
 * inside the caller's transaction. Internal to the module.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { Problem } from '../../common/problems/problem.js';
import type { AuthUser } from '../../common/request-context.js';
import type { Hearing } from '../cases/cases.service.js';
import type { GroupDto } from '../groups/dto/group.dto.js';
import type { GroupsService } from '../groups/groups.service.js';
import { insertionIndex, type AgendaPriority } from './agenda-order.js';
import { slotStartsAt } from './conference-schedule.js';
import { ConferencePolicy } from './conference.policy.js';
import type { AgendaItemDto, AgendaKind, AgendaItemStatus, AttendanceDto, ConferenceDto, ConferenceStatus, ConferenceSummaryDto } from './dto/conference.dto.js';

export type Queryable = EntityManager | DataSource;

/** Statuses in which cases may still be put on (or taken off) the agenda. */
export const OPEN_FOR_PLACEMENT: readonly ConferenceStatus[] = ['planned', 'agenda_published'];
/** Statuses of a conference that has not taken place (its scheduled items are pending). */
export const NOT_TAKEN_PLACE: readonly ConferenceStatus[] = ['planned', 'agenda_published', 'in_session'];

export interface ConferenceRow {
  id: string;
  group_id: string;
  starts_at: Date;
  ends_at: Date;
  cutoff_at: Date;
  capacity: number;
  minutes_per_case: number;
  location: string | null;
  extraordinary: boolean;
  status: ConferenceStatus;
  version: number;
  started_at: Date | null;
  concluded_at: Date | null;
  scheduled_count: number;
}

export interface AgendaRow {
  id: string;
  case_id: string;
  case_reference: string;
  position: number;
  kind: AgendaKind;
  status: AgendaItemStatus;
  deferred_from: string | null;
  is_repeat: boolean;
  score: number | null;
}

/** The row this module reads of a case. */
export interface CaseRow {
  id: string;
  group_id: string;
  status: 'open' | 'closed';
  is_repeat: boolean;
}

const CONFERENCE_COLUMNS = `c.id, c.group_id, c.starts_at, c.ends_at, c.cutoff_at, c.capacity, c.minutes_per_case, c.location,
  c.extraordinary, c.status, c.version, c.started_at, c.concluded_at`;
const SCHEDULED_COUNT = `(SELECT count(*)::int FROM agenda_items a WHERE a.conference_id = c.id AND a.status = 'scheduled')`;
export const SELECT_CONFERENCE = `SELECT ${CONFERENCE_COLUMNS}, ${SCHEDULED_COUNT} AS scheduled_count FROM conferences c`;

export async function findConference(m: Queryable, id: string): Promise<ConferenceRow | undefined> {
  const [row] = await m.query(`${SELECT_CONFERENCE} WHERE c.id = $1`, [id]);
  return row;
}

/**
 * Locks the conference row (FOR UPDATE), then counts its scheduled items in a statement of its
 * own: under READ COMMITTED that statement's snapshot is taken after the lock is granted, so it
 * sees every placement the previous holder committed. Placements therefore never exceed capacity.
 */
export async function lockConference(m: EntityManager, id: string): Promise<ConferenceRow | undefined> {
  const [row] = await m.query(`SELECT ${CONFERENCE_COLUMNS} FROM conferences c WHERE c.id = $1 FOR UPDATE`, [id]);
  if (!row) return undefined;
  const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM agenda_items WHERE conference_id = $1 AND status = 'scheduled'`, [id]);
  return { ...row, scheduled_count: n };
}

/** Who does a use case on one conference: the group's coordinator, its chair, or either of them (`staff`). */
export type ConferenceActor = 'coordinator' | 'chair' | 'staff';

const ACTORS: Record<ConferenceActor, { may: (user: AuthUser, groupId: string) => boolean; slug: string; detail: string }> = {
  coordinator: { may: ConferencePolicy.canManage, slug: 'forbidden', detail: 'Only the group’s coordinator does this.' },
  chair: { may: ConferencePolicy.canChair, slug: 'not-chair', detail: 'Only the group’s chair runs the meeting and records outcomes.' },
  staff: { may: ConferencePolicy.canRunMeeting, slug: 'forbidden', detail: 'Only the group’s coordinator or chair does this.' },
};

/**
 * The conference's group, once the user may act on it: 404 unless they may see the conference
 * (ConferencePolicy.canSeeAgenda), 403 unless they are `who` (`detail` says what only they do).
 * Takes no lock: the caller locks next (lockForChange), in its own order of locks.
 */
export async function authorizeConference(
  m: EntityManager,
  groups: Pick<GroupsService, 'find'>,
  user: AuthUser,
  conferenceId: string,
  who: ConferenceActor,
  detail?: string,
): Promise<GroupDto> {
  const peek = await findConference(m, conferenceId);
  const group = peek && (await groups.find(peek.group_id, m));
  if (!peek || !group || !ConferencePolicy.canSeeAgenda(user, group, peek.status)) throw Problem.notFound('The conference');
  const actor = ACTORS[who];
  if (!actor.may(user, group.id)) throw new Problem(403, actor.slug, 'Forbidden', detail ?? actor.detail);
  return group;
}

/** Locks the conference row (lockConference) and checks If-Match / `version` against it (409 `version-conflict`). */
export async function lockForChange(m: EntityManager, id: string, expectedVersion?: number): Promise<ConferenceRow> {
  const conference = await lockConference(m, id);
  if (!conference) throw Problem.notFound('The conference');
  if (expectedVersion !== undefined && conference.version !== expectedVersion) throw versionConflict();
  return conference;
}

export async function bumpVersion(m: EntityManager, conferenceId: string): Promise<void> {
  await m.query(`UPDATE conferences SET version = version + 1, updated_at = now() WHERE id = $1`, [conferenceId]);
}

export async function loadAgenda(m: Queryable, conferenceId: string): Promise<AgendaRow[]> {
  // Temporary cross-module read: the case reference comes straight from `cases` until
  // CasesService offers a lookup of references by ids.
  return m.query(
    `SELECT a.id, a.case_id, cs.reference AS case_reference, a.position, a.kind, a.status, a.deferred_from, a.is_repeat, a.score
       FROM agenda_items a JOIN cases cs ON cs.id = a.case_id
      WHERE a.conference_id = $1
      ORDER BY a.position`,
    [conferenceId],
  );
}

/**
 * The case's group, status and repeat flag, the row locked (FOR NO KEY UPDATE: it does not block
 * other tables' foreign keys to it) so that two placements of one case are serialised.
 * Temporary cross-module read of `cases`: to be replaced by CasesService once it exists;
 * it reads only these four columns.
 */
export async function lockCase(m: EntityManager, caseId: string): Promise<CaseRow | undefined> {
  const [row] = await m.query(`SELECT id, group_id, status, is_repeat FROM cases WHERE id = $1 FOR NO KEY UPDATE`, [caseId]);
  return row;
}

/** The case's scheduled item on a conference that has not taken place, if any. */
export async function findScheduledItem(
  m: Queryable,
  caseId: string,
): Promise<{ item_id: string; conference_id: string; starts_at: Date; position: number; minutes_per_case: number } | undefined> {
  const [row] = await m.query(
    `SELECT a.id AS item_id, c.id AS conference_id, c.starts_at, a.position, c.minutes_per_case
       FROM agenda_items a JOIN conferences c ON c.id = a.conference_id
      WHERE a.case_id = $1 AND a.status = 'scheduled' AND c.status = ANY($2::text[])
      ORDER BY c.starts_at LIMIT 1`,
    [caseId, NOT_TAKEN_PLACE],
  );
  return row;
}

export interface NewItem {
  caseId: string;
  kind: AgendaKind;
  isRepeat: boolean;
  score: number | null;
  deferredFrom: string | null;
  now: Date;
}

/**
 * Puts a case on a locked conference at its place in the placement order (agenda-order.ts),
 * shifting the items after it, and bumps the conference's version. The caller has checked the
 * conference's status and room.
 */
export async function insertAgendaItem(m: EntityManager, conference: ConferenceRow, item: NewItem): Promise<{ itemId: string; position: number }> {
  const agenda: Array<{ position: number; status: AgendaItemStatus; deferred_from: string | null; is_repeat: boolean; score: number | null }> = await m.query(
    `SELECT position, status, deferred_from, is_repeat, score FROM agenda_items WHERE conference_id = $1 ORDER BY position`,
    [conference.id],
  );
  const scheduled = agenda.filter((a) => a.status === 'scheduled');
  const priority = (a: { deferred_from: string | null; is_repeat: boolean; score: number | null }): AgendaPriority => ({
    deferred: a.deferred_from !== null,
    isRepeat: a.is_repeat,
    score: a.score,
  });
  const index = insertionIndex(scheduled.map(priority), priority({ deferred_from: item.deferredFrom, is_repeat: item.isRepeat, score: item.score }));
  const position = index < scheduled.length ? scheduled[index]!.position : agenda.length === 0 ? 0 : agenda[agenda.length - 1]!.position + 1;
  await m.query(`UPDATE agenda_items SET position = position + 1 WHERE conference_id = $1 AND position >= $2`, [conference.id, position]);
  const itemId = randomUUID();
  await m
    .query(
      `INSERT INTO agenda_items (id, conference_id, case_id, kind, status, position, deferred_from, is_repeat, score, created_at)
       VALUES ($1, $2, $3, $4, 'scheduled', $5, $6, $7, $8, $9)`,
      [itemId, conference.id, item.caseId, item.kind, position, item.deferredFrom, item.isRepeat, item.score, item.now],
    )
    .catch((e: { driverError?: { code?: string }; code?: string }) => {
      if ((e.driverError?.code ?? e.code) === '23505') throw Problem.conflict('case-already-scheduled', 'The case is already on the agenda of a conference that has not taken place.');
      throw e;
    });
  await bumpVersion(m, conference.id);
  return { itemId, position };
}

export function toSummary(r: ConferenceRow): ConferenceSummaryDto {
  return {
    id: r.id,
    groupId: r.group_id,
    startsAt: r.starts_at.toISOString(),
    endsAt: r.ends_at.toISOString(),
    status: r.status,
    cutoffAt: r.cutoff_at.toISOString(),
    capacity: r.capacity,
    minutesPerCase: r.minutes_per_case,
    scheduledCount: r.scheduled_count,
    location: r.location,
    extraordinary: r.extraordinary,
    version: r.version,
  };
}

/**
 * The conference's attendance list in the order it was given. Temporary cross-module read: the
 * agency's name comes straight from `agencies` (as the case reference does in loadAgenda).
 */
export async function loadAttendance(m: Queryable, conferenceId: string): Promise<AttendanceDto[]> {
  const rows: Array<{ agency_id: string; agency_name: string; user_id: string | null; present: boolean; confidentiality_acknowledged: boolean; acknowledged_at: Date | null }> =
    await m.query(
      `SELECT t.agency_id, ag.name AS agency_name, t.user_id, t.present, t.confidentiality_acknowledged, t.acknowledged_at
         FROM conference_attendance t JOIN agencies ag ON ag.id = t.agency_id
        WHERE t.conference_id = $1 ORDER BY t.position`,
      [conferenceId],
    );
  return rows.map((r) => ({
    agencyId: r.agency_id,
    agencyName: r.agency_name,
    userId: r.user_id,
    present: r.present,
    confidentialityAcknowledged: r.confidentiality_acknowledged,
    acknowledgedAt: r.acknowledged_at?.toISOString() ?? null,
  }));
}

/** The conference as `GET /conferences/:id` shows it: with its agenda and attendance. */
export async function loadView(m: Queryable, conferenceId: string): Promise<ConferenceDto> {
  const conference = await findConference(m, conferenceId);
  if (!conference) throw Problem.notFound('The conference');
  return toView(conference, await loadAgenda(m, conferenceId), await loadAttendance(m, conferenceId));
}

export function toView(r: ConferenceRow, agenda: AgendaRow[], attendance: AttendanceDto[] = []): ConferenceDto {
  return {
    ...toSummary(r),
    agenda: agenda.map(
      (a): AgendaItemDto => ({
        itemId: a.id,
        caseId: a.case_id,
        caseReference: a.case_reference,
        position: a.position,
        slotStartsAt: slotStartsAt(r.starts_at, a.position, r.minutes_per_case).toISOString(),
        kind: a.kind,
        status: a.status,
      }),
    ),
    attendance,
  };
}

/** A case's agenda items, earliest conference first, with the outcome's risk level when heard (GET /cases/:id `hearings`). */
export async function hearingsOf(m: Queryable, caseId: string): Promise<Hearing[]> {
  const rows: Array<{ conference_id: string; starts_at: Date; item_id: string; status: AgendaItemStatus; risk_level: Hearing['riskLevel'] }> = await m.query(
    `SELECT a.conference_id, c.starts_at, a.id AS item_id, a.status, o.risk_level
       FROM agenda_items a JOIN conferences c ON c.id = a.conference_id LEFT JOIN agenda_outcomes o ON o.item_id = a.id
      WHERE a.case_id = $1 ORDER BY c.starts_at, a.created_at`,
    [caseId],
  );
  return rows.map((r) => ({ conferenceId: r.conference_id, startsAt: r.starts_at.toISOString(), itemId: r.item_id, status: r.status, riskLevel: r.risk_level }));
}

export function versionConflict(): Problem {
  return Problem.conflict('version-conflict', 'The conference was changed by someone else; reload and try again.');
}

export function requireTransaction(m: EntityManager, what: string): void {
  if (!m.queryRunner?.isTransactionActive) throw new TypeError(`ConferencesService.${what} needs the entity manager of an open transaction`);
}
