import { randomUUID } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { helsinkiDateTime, isCalendarDate, toHelsinkiDate } from '../../../libs/business-calendar/index.js';
import { Problem } from '../../common/problems/problem.js';
import { RequestValidationError } from '../../common/problems/validation.js';
import type { AuthUser } from '../../common/request-context.js';
import { Clock } from '../../platform/clock/clock.js';
import { AuditService } from '../audit/audit.service.js';
import { CasesService } from '../cases/cases.service.js';
import type { GroupDto } from '../groups/dto/group.dto.js';
import { GroupsService } from '../groups/groups.service.js';
import { CadenceError, MAX_GENERATE_DAYS, cadenceMeetingDates, cutoffFor, defaultEndsAt, slotStartsAt } from './conference-schedule.js';
import {
  OPEN_FOR_PLACEMENT,
  SELECT_CONFERENCE,
  authorizeConference,
  findConference,
  findScheduledItem,
  hearingsOf,
  insertAgendaItem,
  loadAgenda,
  loadAttendance,
  lockCase,
  lockConference,
  lockForChange,
  requireTransaction,
  toSummary,
  toView,
  type ConferenceRow,
  type Queryable,
} from './conference-store.js';
import { ConferenceNoticesService } from './conference-notices.service.js';
import { ConferencePolicy } from './conference.policy.js';
import type { ActionsPort } from './actions-port.js';
import type { AgendaKind, ConferenceDto, ConferencePageDto, CreateConferenceDto, GenerateConferencesDto, GenerateResultDto, ListConferencesQuery } from './dto/conference.dto.js';

/** Where `placeCase` put a case (or where it already was). */
export interface Placement {
  conferenceId: string;
  itemId: string;
  startsAt: Date;
  slotStartsAt: Date;
}

export interface PlaceCaseInput {
  groupId: string;
  caseId: string;
  kind: AgendaKind;
  isRepeat: boolean;
  /** The risk form's score, or null (orders after every scored case). */
  score: number | null;
  /** An explicitly chosen conference (see placeCase for the rules); else the next with room. */
  conferenceId?: string;
  now: Date;
  /** The agenda item (on an earlier conference) this placement continues after a deferral: placed first of all. */
  deferredFrom?: string;
}

/** The group's next conference that takes automatic placements (nextFor). */
export interface NextConference {
  conferenceId: string;
  startsAt: Date;
  cutoffAt: Date;
  capacity: number;
  scheduledCount: number;
}

const MAX_DAY = 86_400_000;

/**
 * Conferences: scheduling one by one or from the group's cadence, reading them with their
 * agenda, and placing cases on agendas. The module's door: other modules call `placeCase`
 * (accepting a referral, deferring a case) and `nextFor`, never its tables.
 * Rules of time: conference-schedule.ts; rules of order: agenda-order.ts; who sees what:
 * conference.policy.ts.
 */
@Injectable()
export class ConferencesService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly groups: GroupsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly notices: ConferenceNoticesService,
    private readonly cases: CasesService,
  ) {}

  private actionsPort?: ActionsPort;

  /**
   * The actions module depends on conferences (overdue actions go on the next agenda), so it
   * hands its port here in its onModuleInit: an outcome's actions are created through it, and
   * the minutes list them.
   */
  useActions(port: ActionsPort): void {
    this.actionsPort = port;
  }

  /** The registered actions port, if the actions module is loaded (MeetingService, MinutesService). */
  get actions(): ActionsPort | undefined {
    return this.actionsPort;
  }

  onModuleInit(): void {
    this.cases.provide({
      // Need to know: a member agency's representative sees a case once it is on a published agenda.
      publishedAgendaAccess: async (manager, caseId, groupId, agencyId) =>
        (await this.groups.isMember(groupId, agencyId, manager)) && (await this.isOnPublishedAgenda(manager, caseId, groupId)),
      publishedAgendaCases: (manager, agencyId, groupIds) => this.publishedAgendaCases(manager, agencyId, groupIds),
      hearings: (manager, caseId) => hearingsOf(manager, caseId),
    });
  }

  /**
   * The open cases on a published agenda (status ≠ planned) of those of the groups the agency is a
   * member of (a closed case is not shown to a representative, so it is not listed). Temporary
   * cross-module read of `group_agencies` and `cases` (status only), as in conference-store.ts.
   */
  private async publishedAgendaCases(manager: Queryable, agencyId: string, groupIds: string[]): Promise<string[]> {
    if (groupIds.length === 0) return [];
    const rows: Array<{ case_id: string }> = await manager.query(
      `SELECT DISTINCT a.case_id
         FROM agenda_items a
         JOIN conferences c ON c.id = a.conference_id AND c.status <> 'planned'
         JOIN group_agencies ga ON ga.group_id = c.group_id AND ga.agency_id = $2
         JOIN cases cs ON cs.id = a.case_id AND cs.status = 'open'
        WHERE c.group_id = ANY($1::uuid[])`,
      [[...new Set(groupIds)], agencyId],
    );
    return rows.map((r) => r.case_id);
  }

  /** Whether the case is (or was) on an agenda of the group's conference that has been published (status ≠ planned). */
  async isOnPublishedAgenda(manager: Queryable, caseId: string, groupId: string): Promise<boolean> {
    const [{ published }] = await manager.query(
      `SELECT EXISTS (SELECT 1 FROM agenda_items a JOIN conferences c ON c.id = a.conference_id
                       WHERE a.case_id = $1 AND c.group_id = $2 AND c.status <> 'planned') AS published`,
      [caseId, groupId],
    );
    return published;
  }

  /** Whether the case waits to be heard: scheduled on a conference that has not been concluded. */
  async hasPendingHearing(manager: Queryable, caseId: string): Promise<boolean> {
    return (await findScheduledItem(manager, caseId)) !== undefined;
  }

  /**
   * `POST /conferences/:id/publish` (the group's coordinator): planned → agenda_published
   * (409 `conference-not-planned` otherwise; 409 `version-conflict` against If-Match). Every
   * member agency's mailbox gets the agenda notice with the meeting as .ics; the advocates'
   * victim-views reminders (per agenda item) and the attendees' reminder are scheduled.
   */
  async publish(user: AuthUser, id: string, expectedVersion?: number): Promise<ConferenceDto> {
    return this.db.transaction(async (tx) => {
      const group = await authorizeConference(tx, this.groups, user, id, 'coordinator', 'Only the group’s coordinator publishes the agenda.');
      const conference = await lockForChange(tx, id, expectedVersion);
      if (conference.status !== 'planned') throw Problem.conflict('conference-not-planned', 'Only a planned conference can be published; this agenda is already published or the conference has taken place.');
      await tx.query(`UPDATE conferences SET status = 'agenda_published', published_at = $2, version = version + 1, updated_at = now() WHERE id = $1`, [id, this.clock.now()]);
      const version = conference.version + 1;
      const agenda = await loadAgenda(tx, id);
      const scheduled = agenda.filter((a) => a.status === 'scheduled');
      await this.notices.noticeAgenda(tx, conference, version);
      for (const item of scheduled) await this.notices.askAdvocate(tx, item.id, conference, group.settings.victimViewsReminderWorkingDays);
      await this.notices.scheduleConferenceReminder(tx, conference);
      const view = toView((await findConference(tx, id))!, agenda);
      await this.audit.record(tx, {
        action: 'conference.publish',
        objectType: 'conference',
        objectId: id,
        groupId: group.id,
        details: { conferenceId: id, count: scheduled.length, caseId: scheduled.map((a) => a.case_id), fromState: 'planned', toState: 'agenda_published', version },
      });
      return view;
    });
  }

  /**
   * `POST /groups/:id/conferences` (the group's coordinator). Capacity and minutes per case are
   * taken from the group's settings now; `endsAt` defaults to every slot plus a 30-minute frame;
   * the cut-off follows conference-schedule.ts (an extraordinary conference: now). A regular
   * conference whose cut-off has already passed may still be scheduled: it then takes only
   * cases put on it explicitly. 422 `conference-in-past`; 409 `conference-exists` when the group
   * has a conference at that instant or another regular one on that Helsinki day.
   */
  async schedule(user: AuthUser, groupId: string, dto: CreateConferenceDto): Promise<ConferenceDto> {
    const group = await this.manageableGroup(user, groupId);
    const now = this.clock.now();
    const startsAt = new Date(dto.startsAt);
    if (startsAt.getTime() <= now.getTime()) throw Problem.unprocessable('conference-in-past', 'Conference in the past', 'A conference must start in the future.');
    const settings = group.settings;
    const endsAt = dto.endsAt ? new Date(dto.endsAt) : defaultEndsAt(startsAt, settings.maxCasesPerConference, settings.minutesPerCase);
    if (endsAt.getTime() <= startsAt.getTime() || endsAt.getTime() - startsAt.getTime() > MAX_DAY) {
      throw new RequestValidationError([{ field: 'endsAt', message: 'endsAt must be after startsAt and within 24 hours of it' }]);
    }
    const extraordinary = dto.extraordinary ?? false;
    const cutoffAt = extraordinary ? now : cutoffFor(startsAt, settings.referralCutoffWorkingDays);
    const id = randomUUID();
    return this.db.transaction(async (tx) => {
      await tx
        .query(
          `INSERT INTO conferences (id, group_id, starts_at, ends_at, meeting_date, cutoff_at, capacity, minutes_per_case, location, extraordinary, origin)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'scheduled')`,
          [id, groupId, startsAt, endsAt, toHelsinkiDate(startsAt), cutoffAt, settings.maxCasesPerConference, settings.minutesPerCase, dto.location ?? null, extraordinary],
        )
        .catch((e: { driverError?: { code?: string }; code?: string }) => {
          if ((e.driverError?.code ?? e.code) === '23505') {
            throw Problem.conflict('conference-exists', 'The group already has a conference at that time, or a regular conference on that day.');
          }
          throw e;
        });
      const view = toView((await findConference(tx, id))!, []);
      await this.audit.record(tx, {
        action: 'conference.create',
        objectType: 'conference',
        objectId: id,
        groupId,
        details: { conferenceId: id, kind: extraordinary ? 'extraordinary' : 'regular' },
      });
      return view;
    });
  }

  /**
   * `POST /groups/:id/conferences/generate {from, to}` (the group's coordinator): a conference on
   * every meeting date of the cadence in the period (conference-schedule.ts), at
   * `meetingStartTime` Helsinki. Idempotent: a date that already has a regular conference is
   * skipped (unique per group and day), so generating twice creates nothing new; meetings that
   * would start at or before now are skipped too.
   */
  async generate(user: AuthUser, groupId: string, dto: GenerateConferencesDto): Promise<GenerateResultDto> {
    const group = await this.manageableGroup(user, groupId);
    checkPeriod(dto.from, dto.to, MAX_GENERATE_DAYS);
    const settings = group.settings;
    let dates: string[];
    try {
      dates = cadenceMeetingDates(settings.cadence, dto.from, dto.to);
    } catch (e) {
      if (e instanceof CadenceError) throw Problem.unprocessable('invalid-cadence', 'Invalid cadence', `The group's cadence cannot be used: ${e.message}.`);
      throw e;
    }
    const now = this.clock.now();
    const rows = dates
      .map((date) => ({ date, startsAt: helsinkiDateTime(date, settings.meetingStartTime) }))
      .filter((r) => r.startsAt.getTime() > now.getTime())
      .map((r) => ({
        ...r,
        id: randomUUID(),
        endsAt: defaultEndsAt(r.startsAt, settings.maxCasesPerConference, settings.minutesPerCase),
        cutoffAt: cutoffFor(r.startsAt, settings.referralCutoffWorkingDays),
      }));
    return this.db.transaction(async (tx) => {
      const created: unknown[] = rows.length
        ? await tx.query(
            `INSERT INTO conferences (id, group_id, starts_at, ends_at, meeting_date, cutoff_at, capacity, minutes_per_case, origin)
             SELECT u.id, $1, u.starts_at, u.ends_at, u.meeting_date, u.cutoff_at, $2, $3, 'cadence'
               FROM unnest($4::uuid[], $5::timestamptz[], $6::timestamptz[], $7::date[], $8::timestamptz[])
                    AS u (id, starts_at, ends_at, meeting_date, cutoff_at)
             ON CONFLICT DO NOTHING
             RETURNING id`,
            [
              groupId,
              settings.maxCasesPerConference,
              settings.minutesPerCase,
              rows.map((r) => r.id),
              rows.map((r) => r.startsAt),
              rows.map((r) => r.endsAt),
              rows.map((r) => r.date),
              rows.map((r) => r.cutoffAt),
            ],
          )
        : [];
      const items: ConferenceRow[] = await tx.query(
        `${SELECT_CONFERENCE} WHERE c.group_id = $1 AND c.meeting_date BETWEEN $2::date AND $3::date ORDER BY c.starts_at`,
        [groupId, dto.from, dto.to],
      );
      await this.audit.record(tx, {
        action: 'conference.generate',
        objectType: 'group',
        objectId: groupId,
        groupId,
        details: { count: created.length, periodFrom: dto.from, periodTo: dto.to },
      });
      return { created: created.length, items: items.map(toSummary) };
    });
  }

  /** `GET /groups/:id/conferences?from&to`: dates only, no case data (not audited as a read of case data). */
  async list(user: AuthUser, groupId: string, q: ListConferencesQuery): Promise<ConferencePageDto> {
    const group = await this.groups.find(groupId);
    if (!group || !ConferencePolicy.canSeeSchedule(user, group)) throw Problem.notFound('The group');
    if (q.from !== undefined && !isCalendarDate(q.from)) throw new RequestValidationError([{ field: 'from', message: 'from must be a valid date' }]);
    if (q.to !== undefined && !isCalendarDate(q.to)) throw new RequestValidationError([{ field: 'to', message: 'to must be a valid date' }]);
    const cursor = q.cursor === undefined ? null : new Date(q.cursor);
    if (cursor && Number.isNaN(cursor.getTime())) throw new Problem(400, 'invalid-cursor', 'Bad Request', 'The cursor is not one this list returned.');
    const limit = q.limit ?? 50;
    const rows: ConferenceRow[] = await this.db.query(
      `${SELECT_CONFERENCE}
        WHERE c.group_id = $1 AND ($2::date IS NULL OR c.meeting_date >= $2::date) AND ($3::date IS NULL OR c.meeting_date <= $3::date)
          AND ($4::timestamptz IS NULL OR c.starts_at > $4::timestamptz)
        ORDER BY c.starts_at LIMIT $5`,
      [groupId, q.from ?? null, q.to ?? null, cursor, limit + 1],
    );
    const items = rows.slice(0, limit).map(toSummary);
    return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.startsAt : null };
  }

  /**
   * `GET /conferences/:id` with its agenda: the group's coordinators and chairs; a member
   * agency's representative once the agenda is published; else 404. Audited as
   * `conference.read` with the case ids shown.
   */
  async get(user: AuthUser, id: string): Promise<ConferenceDto> {
    return this.db.transaction(async (tx) => {
      const conference = await findConference(tx, id);
      const group = conference && (await this.groups.find(conference.group_id, tx));
      if (!conference || !group || !ConferencePolicy.canSeeAgenda(user, group, conference.status)) throw Problem.notFound('The conference');
      const agenda = await loadAgenda(tx, id);
      const attendance = await loadAttendance(tx, id);
      await this.audit.record(tx, {
        action: 'conference.read',
        objectType: 'conference',
        objectId: id,
        groupId: conference.group_id,
        details: { conferenceId: id, count: agenda.length, caseId: agenda.map((a) => a.case_id) },
      });
      return toView(conference, agenda, attendance);
    });
  }

  /**
   * Puts an open case of the group on an agenda, inside the caller's transaction, and records
   * `agenda.place` there. Call it late in the transaction: the audit row takes the audit chain's
   * lock until commit, and the conference row stays locked (FOR UPDATE) until then too.
   *
   * - A case already scheduled on a conference that has not taken place (planned, published or
   *   in session) is not placed again: that placement is returned.
   * - Without `conferenceId`: the group's earliest regular (not extraordinary) conference,
   *   planned or published, whose cut-off is after `now` (strictly) and which has room
   *   (scheduled items < capacity). Each candidate is locked while its items are counted, so
   *   concurrent placements never exceed capacity; a full one passes to the next.
   *   None: 422 `no-conference-available`.
   * - With `conferenceId`: that conference, which must belong to the group (else 404) and be
   *   planned or published (else 422 `conference-closed`) and have room (else 422
   *   `conference-full`). Its cut-off may have passed and it may be extraordinary: choosing a
   *   conference explicitly is the coordinator's decision. A case deferred from an earlier
   *   conference (`deferredFrom`) goes on even when that agenda is full: deferred cases are
   *   heard first of all (DOMAIN.md step 7), so the agenda may then hold more than `capacity`
   *   and takes no automatic placements until it has room again.
   *
   * The case (read from `cases`, temporarily) must belong to the group (else 422
   * `case-not-in-group`; 404 when it does not exist) and be open (else 422 `case-not-open`).
   * Its place in the order: agenda-order.ts.
   */
  async placeCase(manager: EntityManager, p: PlaceCaseInput): Promise<Placement> {
    requireTransaction(manager, 'placeCase');
    const kase = await lockCase(manager, p.caseId);
    if (!kase) throw Problem.notFound('The case');
    if (kase.group_id !== p.groupId) throw Problem.unprocessable('case-not-in-group', 'Case of another group', 'The case belongs to another group.');
    if (kase.status !== 'open') throw Problem.unprocessable('case-not-open', 'Case not open', 'Only an open case can be put on an agenda.');
    const existing = await findScheduledItem(manager, p.caseId);
    if (existing) {
      return {
        conferenceId: existing.conference_id,
        itemId: existing.item_id,
        startsAt: existing.starts_at,
        slotStartsAt: slotStartsAt(existing.starts_at, existing.position, existing.minutes_per_case),
      };
    }
    const conference = p.conferenceId
      ? await this.chosenConference(manager, p.groupId, p.conferenceId, { overCapacity: p.deferredFrom !== undefined })
      : await this.nextWithRoom(manager, p.groupId, p.now);
    const { itemId, position } = await insertAgendaItem(manager, conference, {
      caseId: p.caseId,
      kind: p.kind,
      isRepeat: p.isRepeat,
      score: p.score,
      deferredFrom: p.deferredFrom ?? null,
      now: p.now,
    });
    if (conference.status === 'agenda_published') {
      // A placement on a published agenda: the advocate's reminder and a new notice, as for agenda.add.
      const settings = await this.groups.settings(p.groupId, manager);
      await this.notices.askAdvocate(manager, itemId, conference, settings.victimViewsReminderWorkingDays);
      await this.notices.noticeAgenda(manager, conference, conference.version + 1);
    }
    await this.audit.record(manager, {
      action: 'agenda.place',
      objectType: 'conference',
      objectId: conference.id,
      groupId: p.groupId,
      details: { conferenceId: conference.id, caseId: p.caseId, kind: p.kind },
    });
    return { conferenceId: conference.id, itemId, startsAt: conference.starts_at, slotStartsAt: slotStartsAt(conference.starts_at, position, conference.minutes_per_case) };
  }

  /** The conference `placeCase` would choose without `conferenceId` right now (no lock), or null. */
  async nextFor(groupId: string, now: Date, manager: Queryable = this.db): Promise<NextConference | null> {
    const [row]: ConferenceRow[] = await manager.query(`${OPEN_CANDIDATES} LIMIT 1`, [groupId, now, OPEN_FOR_PLACEMENT]);
    return row
      ? { conferenceId: row.id, startsAt: row.starts_at, cutoffAt: row.cutoff_at, capacity: row.capacity, scheduledCount: row.scheduled_count }
      : null;
  }

  private async chosenConference(m: EntityManager, groupId: string, conferenceId: string, opts: { overCapacity: boolean }): Promise<ConferenceRow> {
    const conference = await lockConference(m, conferenceId);
    if (!conference || conference.group_id !== groupId) throw Problem.notFound('The conference');
    if (!OPEN_FOR_PLACEMENT.includes(conference.status)) {
      throw Problem.unprocessable('conference-closed', 'Conference closed', 'The conference is in session or concluded; choose a later conference.');
    }
    if (!opts.overCapacity && conference.scheduled_count >= conference.capacity) {
      throw Problem.unprocessable('conference-full', 'Conference full', `The conference has room for ${conference.capacity} cases and its agenda is full.`, { conferenceId });
    }
    return conference;
  }

  private async nextWithRoom(m: EntityManager, groupId: string, now: Date): Promise<ConferenceRow> {
    // Candidates by an unlocked count; each is then locked and counted again. All placements
    // walk the candidates in the same order (starts_at), so their locks never deadlock.
    for (let round = 0; round < 20; round++) {
      const candidates: ConferenceRow[] = await m.query(`${OPEN_CANDIDATES} LIMIT 10`, [groupId, now, OPEN_FOR_PLACEMENT]);
      if (candidates.length === 0) break;
      for (const candidate of candidates) {
        const locked = await lockConference(m, candidate.id);
        if (
          locked &&
          OPEN_FOR_PLACEMENT.includes(locked.status) &&
          locked.cutoff_at.getTime() > now.getTime() &&
          locked.scheduled_count < locked.capacity
        ) {
          return locked;
        }
      }
      // Every candidate filled up meanwhile: they are full now and the next query skips them.
    }
    throw Problem.unprocessable(
      'no-conference-available',
      'No conference available',
      'The group has no regular conference with room whose cut-off is still ahead. Schedule one (POST /groups/{id}/conferences) or generate them from the cadence (POST /groups/{id}/conferences/generate), or choose a conference explicitly.',
    );
  }

  /** The group for a scheduling use case: 404 unless the user sees its conferences; 403 unless coordinator. */
  private async manageableGroup(user: AuthUser, groupId: string): Promise<GroupDto> {
    const group = await this.groups.find(groupId);
    if (!group || !ConferencePolicy.canSeeSchedule(user, group)) throw Problem.notFound('The group');
    if (!ConferencePolicy.canManage(user, groupId)) throw new Problem(403, 'forbidden', 'Forbidden', 'Only the group’s coordinator schedules conferences.');
    return group;
  }
}

/** $1 group, $2 now, $3 open statuses: regular conferences still taking placements, with room, earliest first. */
const OPEN_CANDIDATES = `${SELECT_CONFERENCE}
  WHERE c.group_id = $1 AND c.status = ANY($3::text[]) AND NOT c.extraordinary AND c.cutoff_at > $2
    AND (SELECT count(*) FROM agenda_items a WHERE a.conference_id = c.id AND a.status = 'scheduled') < c.capacity
  ORDER BY c.starts_at, c.id`;

function checkPeriod(from: string, to: string, maxDays: number): void {
  const errors = [];
  if (!isCalendarDate(from)) errors.push({ field: 'from', message: 'from must be a valid YYYY-MM-DD date' });
  if (!isCalendarDate(to)) errors.push({ field: 'to', message: 'to must be a valid YYYY-MM-DD date' });
  if (!errors.length && to < from) errors.push({ field: 'to', message: 'to must not be before from' });
  if (!errors.length && (Date.parse(to) - Date.parse(from)) / MAX_DAY > maxDays) errors.push({ field: 'to', message: `the period may cover at most ${maxDays} days` });
  if (errors.length) throw new RequestValidationError(errors);
}
