import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { toHelsinkiDate } from '../../../libs/business-calendar/index.js';
import { Problem, type FieldError } from '../../common/problems/problem.js';
import type { AuthUser } from '../../common/request-context.js';
import { Clock } from '../../platform/clock/clock.js';
import { FieldCryptoService } from '../../platform/crypto/field-crypto.service.js';
import { AuditService } from '../audit/audit.service.js';
import { CasesService } from '../cases/cases.service.js';
import type { GroupDto } from '../groups/dto/group.dto.js';
import { GroupsService } from '../groups/groups.service.js';
import { UsersService } from '../identity/users.service.js';
import { ConferenceNoticesService } from './conference-notices.service.js';
import { OPEN_FOR_PLACEMENT, authorizeConference, bumpVersion, loadView, lockCase, lockForChange, type CaseRow, type ConferenceRow } from './conference-store.js';
import { ConferencesService } from './conferences.service.js';
import { checkAttendanceEntries, checkOutcomeActions } from './meeting-rules.js';
import type {
  AgendaItemStatus,
  AgendaKind,
  AttendanceEntryDto,
  ConferenceDto,
  ConferenceStatus,
  DeferralDto,
  OutcomeDto,
  RecordOutcomeDto,
} from './dto/conference.dto.js';

/** Statuses in which attendance is recorded and cases deferred: the agenda is out, the meeting not over. */
const MEETING_OPEN: readonly ConferenceStatus[] = ['agenda_published', 'in_session'];

interface ItemRow {
  id: string;
  case_id: string;
  case_reference: string;
  kind: AgendaKind;
  status: AgendaItemStatus;
  is_repeat: boolean;
  score: number | null;
}

/**
 * The meeting itself (DOMAIN.md step 7): attendance with the confidentiality acknowledgement,
 * starting the conference, each case's outcome or deferral, and concluding it. Each use case is
 * one transaction: the case row (when one is touched) is locked before the conference row, as
 * AgendaService does, so the two never deadlock; the audit row comes last. Free text about
 * people (risk summaries, deferral reasons) is encrypted per row. Who may: conference.policy.ts.
 */
@Injectable()
export class MeetingService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly groups: GroupsService,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly crypto: FieldCryptoService,
    private readonly cases: CasesService,
    private readonly notices: ConferenceNoticesService,
    private readonly conferences: ConferencesService,
  ) {}

  /**
   * `PUT /conferences/:id/attendance` (the group's coordinator or chair) replaces the attendance
   * list while the agenda is published or the conference in session (409
   * `conference-not-open-for-attendance` otherwise). A present attendee must have acknowledged
   * confidentiality (422 `confidentiality-not-acknowledged`); the agency must be a member of the
   * group (422 `attendance-agency-not-member`), the person, if named, an active user of it (422
   * `attendance-user-invalid`); the same agency and person twice is a 400. An acknowledgement
   * keeps the instant it was first recorded while the same agency and person stay acknowledged.
   */
  async recordAttendance(user: AuthUser, id: string, entries: AttendanceEntryDto[], expectedVersion?: number): Promise<ConferenceDto> {
    checkAttendanceEntries(entries);
    return this.db.transaction(async (tx) => {
      const group = await authorizeConference(tx, this.groups, user, id, 'staff');
      const conference = await lockForChange(tx, id, expectedVersion);
      if (!MEETING_OPEN.includes(conference.status)) {
        throw Problem.conflict('conference-not-open-for-attendance', 'Attendance is recorded once the agenda is published and until the conference is concluded.');
      }
      await this.checkAttendees(tx, group, entries);
      const now = this.clock.now();
      const earlier: Array<{ agency_id: string; user_id: string | null; acknowledged_at: Date }> = await tx.query(
        `SELECT agency_id, user_id, acknowledged_at FROM conference_attendance WHERE conference_id = $1 AND confidentiality_acknowledged`,
        [id],
      );
      const acknowledgedAt = (e: AttendanceEntryDto): Date | null => {
        if (!e.confidentialityAcknowledged) return null;
        const before = earlier.find((r) => r.agency_id === e.agencyId.toLowerCase() && r.user_id === (e.userId?.toLowerCase() ?? null));
        return before?.acknowledged_at ?? now;
      };
      await tx.query(`DELETE FROM conference_attendance WHERE conference_id = $1`, [id]);
      if (entries.length) {
        await tx.query(
          `INSERT INTO conference_attendance (id, conference_id, position, agency_id, user_id, present, confidentiality_acknowledged, acknowledged_at, recorded_by, recorded_at)
           SELECT u.id, $1, (u.ord - 1)::int, u.agency_id, u.user_id, u.present, u.ack, u.ack_at, $2, $3
             FROM unnest($4::uuid[], $5::uuid[], $6::uuid[], $7::boolean[], $8::boolean[], $9::timestamptz[]) WITH ORDINALITY
                  AS u (id, agency_id, user_id, present, ack, ack_at, ord)`,
          [
            id,
            user.id,
            now,
            entries.map(() => randomUUID()),
            entries.map((e) => e.agencyId),
            entries.map((e) => e.userId ?? null),
            entries.map((e) => e.present),
            entries.map((e) => e.confidentialityAcknowledged),
            entries.map(acknowledgedAt),
          ],
        );
      }
      await bumpVersion(tx, id);
      const view = await loadView(tx, id);
      await this.audit.record(tx, {
        action: 'conference.attendance.record',
        objectType: 'conference',
        objectId: id,
        groupId: group.id,
        details: { conferenceId: id, count: entries.filter((e) => e.present).length, version: view.version },
      });
      return view;
    });
  }

  /**
   * `POST /conferences/:id/start` (the group's chair): agenda_published → in_session. 409
   * `conference-not-published` from any other status; 422 `conference-not-today` before the
   * meeting's Helsinki date; 422 `attendance-not-recorded` until at least one attendee is
   * present (each present one has acknowledged confidentiality by construction). The
   * attendees' reminder, if still pending, is cancelled.
   */
  async start(user: AuthUser, id: string, expectedVersion?: number): Promise<ConferenceDto> {
    return this.db.transaction(async (tx) => {
      const group = await authorizeConference(tx, this.groups, user, id, 'chair');
      const conference = await lockForChange(tx, id, expectedVersion);
      if (conference.status !== 'agenda_published') {
        throw Problem.conflict('conference-not-published', 'Only a conference whose agenda is published (and which has not started) can be started.');
      }
      const now = this.clock.now();
      if (toHelsinkiDate(now) < toHelsinkiDate(conference.starts_at)) {
        throw Problem.unprocessable('conference-not-today', 'Conference not today', 'A conference is started on its meeting day at the earliest.');
      }
      const [{ present }] = await tx.query(`SELECT count(*)::int AS present FROM conference_attendance WHERE conference_id = $1 AND present`, [id]);
      if (present === 0) {
        throw Problem.unprocessable('attendance-not-recorded', 'Attendance not recorded', 'Record the attendance, with every present attendee’s confidentiality acknowledgement, before starting.');
      }
      await tx.query(`UPDATE conferences SET status = 'in_session', started_at = $2, version = version + 1, updated_at = $2 WHERE id = $1`, [id, now]);
      await this.notices.cancelConferenceReminder(tx, id);
      const view = await loadView(tx, id);
      await this.audit.record(tx, {
        action: 'conference.start',
        objectType: 'conference',
        objectId: id,
        groupId: group.id,
        details: { conferenceId: id, fromState: 'agenda_published', toState: 'in_session', count: present, version: view.version },
      });
      return view;
    });
  }

  /**
   * `POST /conferences/:id/agenda/:itemId/outcome` (the group's chair) while the conference is
   * in session (409 `conference-not-in-session`), on a scheduled item (409
   * `agenda-item-not-scheduled`): the item is heard, the risk summary stored encrypted, the
   * case's last hearing set, and the actions created by the actions module through its port
   * (ActionsPort.createForOutcome) before the audit row. Each action has exactly one of dueDate
   * and dueInWorkingDays (400 otherwise, before anything else happens). A case closed while the
   * conference is in session may still be heard, but agrees no actions (422 `case-closed` when
   * `actions` is not empty).
   */
  async recordOutcome(user: AuthUser, conferenceId: string, itemId: string, dto: RecordOutcomeDto, expectedVersion?: number): Promise<OutcomeDto> {
    checkOutcomeActions(dto.actions);
    return this.db.transaction(async (tx) => {
      const group = await authorizeConference(tx, this.groups, user, conferenceId, 'chair');
      const { conference, item, caseStatus } = await this.lockItem(tx, conferenceId, itemId, expectedVersion);
      if (conference.status !== 'in_session') throw notInSession('An outcome is recorded while the conference is in session.');
      if (item.status !== 'scheduled') throw itemNotScheduled();
      const closed = caseStatus === 'closed';
      if (closed && dto.actions.length > 0) {
        throw Problem.unprocessable(
          'case-closed',
          'Case closed',
          'The case was closed after it was put on this agenda: its hearing may be recorded, but without actions (record the outcome with `actions: []`).',
        );
      }
      const now = this.clock.now();
      await tx.query(`INSERT INTO agenda_outcomes (item_id, risk_summary_enc, risk_level, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5)`, [
        itemId,
        this.crypto.encrypt(dto.riskSummary, { table: 'agenda_outcomes', column: 'risk_summary', rowId: itemId }),
        dto.riskLevel,
        user.id,
        now,
      ]);
      await tx.query(`UPDATE agenda_items SET status = 'heard', version = version + 1, updated_at = $2 WHERE id = $1`, [itemId, now]);
      await bumpVersion(tx, conferenceId);
      await this.notices.cancelVictimViewsReminder(tx, itemId);
      const { victimId } = await this.cases.markHeard(tx, item.case_id, now);
      const port = closed ? undefined : this.conferences.actions;
      if (!port && dto.actions.length > 0) throw new Error('MeetingService.recordOutcome: no ActionsPort registered (ConferencesService.useActions), so the outcome’s actions cannot be created');
      const actions = port
        ? await port.createForOutcome(tx, {
            actor: user,
            groupId: group.id,
            caseId: item.case_id,
            conferenceId,
            agendaItemId: itemId,
            meetingDate: toHelsinkiDate(conference.starts_at),
            actions: dto.actions.map((a) => ({ agencyId: a.agencyId, description: a.description, dueDate: a.dueDate, dueInWorkingDays: a.dueInWorkingDays })),
          })
        : [];
      await this.audit.record(tx, {
        action: 'conference.outcome.record',
        objectType: 'conference',
        objectId: conferenceId,
        groupId: group.id,
        subjectIds: [victimId],
        details: { conferenceId, caseId: item.case_id, caseRef: item.case_reference, hearingId: itemId, state: dto.riskLevel, count: actions.length, toState: 'heard' },
      });
      return {
        itemId,
        caseId: item.case_id,
        caseReference: item.case_reference,
        status: 'heard',
        riskLevel: dto.riskLevel,
        riskSummary: dto.riskSummary,
        recordedAt: now.toISOString(),
        recordedBy: user.id,
        actions,
      };
    });
  }

  /**
   * `POST /conferences/:id/agenda/:itemId/defer {reason}` (the group's coordinator or chair)
   * while the agenda is published or the conference in session (409
   * `conference-not-open-for-deferral`), on a scheduled item: the item is deferred (the reason
   * encrypted) and the case placed first of all on the group's next regular conference that
   * has not taken place (planned or published, starting after this one), whatever its cut-off
   * and even when its agenda is full (ConferencesService.placeCase with `deferredFrom`). No
   * such conference: 422 `no-next-conference`, and nothing changes. A case closed while the
   * conference is in session is deferred with its reason but placed nowhere (`deferredTo` null).
   */
  async defer(user: AuthUser, conferenceId: string, itemId: string, reason: string, expectedVersion?: number): Promise<DeferralDto> {
    return this.db.transaction(async (tx) => {
      const group = await authorizeConference(tx, this.groups, user, conferenceId, 'staff');
      const { conference, item, caseStatus } = await this.lockItem(tx, conferenceId, itemId, expectedVersion);
      if (!MEETING_OPEN.includes(conference.status)) {
        throw Problem.conflict('conference-not-open-for-deferral', 'A case is deferred once the agenda is published and until the conference is concluded.');
      }
      if (item.status !== 'scheduled') throw itemNotScheduled();
      const closed = caseStatus === 'closed';
      const [next]: Array<{ id: string }> = closed
        ? []
        : await tx.query(
            `SELECT id FROM conferences
              WHERE group_id = $1 AND status = ANY($2::text[]) AND NOT extraordinary AND starts_at > $3 AND id <> $4
              ORDER BY starts_at, id LIMIT 1`,
            [group.id, OPEN_FOR_PLACEMENT, conference.starts_at, conferenceId],
          );
      if (!closed && !next) {
        throw Problem.unprocessable(
          'no-next-conference',
          'No next conference',
          'The group has no later regular conference to defer the case to. Schedule one (POST /groups/{id}/conferences) or generate them from the cadence, then defer again.',
        );
      }
      const now = this.clock.now();
      await tx.query(`UPDATE agenda_items SET status = 'deferred', version = version + 1, updated_at = $2 WHERE id = $1`, [itemId, now]);
      await tx.query(`INSERT INTO agenda_deferrals (item_id, reason_enc, recorded_by, recorded_at) VALUES ($1, $2, $3, $4)`, [
        itemId,
        this.crypto.encrypt(reason, { table: 'agenda_deferrals', column: 'reason', rowId: itemId }),
        user.id,
        now,
      ]);
      await bumpVersion(tx, conferenceId);
      await this.notices.cancelVictimViewsReminder(tx, itemId);
      // Before the meeting, taking a case off the published agenda is an agenda change like any other.
      if (conference.status === 'agenda_published') await this.notices.noticeAgenda(tx, conference, conference.version + 1);
      // placeCase records its own audit row (agenda.place): from here on nothing but audit rows.
      // A closed case is not heard again: it goes on no other agenda.
      const placement = next
        ? await this.conferences.placeCase(tx, {
            groupId: group.id,
            caseId: item.case_id,
            kind: item.kind,
            isRepeat: item.is_repeat,
            score: item.score,
            conferenceId: next.id,
            now,
            deferredFrom: itemId,
          })
        : null;
      await this.audit.record(tx, {
        action: 'conference.defer',
        objectType: 'conference',
        objectId: conferenceId,
        groupId: group.id,
        details: { conferenceId, caseId: item.case_id, caseRef: item.case_reference, hearingId: itemId, toState: 'deferred', version: conference.version + 1 },
      });
      return {
        itemId,
        caseId: item.case_id,
        caseReference: item.case_reference,
        status: 'deferred',
        deferredTo: placement && {
          conferenceId: placement.conferenceId,
          itemId: placement.itemId,
          startsAt: placement.startsAt.toISOString(),
          slotStartsAt: placement.slotStartsAt.toISOString(),
        },
      };
    });
  }

  /**
   * `POST /conferences/:id/conclude` (the group's chair): in_session → concluded. 409
   * `conference-not-in-session` from any other status; 409 `agenda-items-unheard` while any item
   * is still scheduled (the problem lists their `itemIds`: record an outcome or defer each).
   */
  async conclude(user: AuthUser, id: string, expectedVersion?: number): Promise<ConferenceDto> {
    return this.db.transaction(async (tx) => {
      const group = await authorizeConference(tx, this.groups, user, id, 'chair');
      const conference = await lockForChange(tx, id, expectedVersion);
      if (conference.status !== 'in_session') throw notInSession('Only a conference in session can be concluded.');
      const unheard: Array<{ id: string }> = await tx.query(`SELECT id FROM agenda_items WHERE conference_id = $1 AND status = 'scheduled' ORDER BY position`, [id]);
      if (unheard.length) {
        throw Problem.conflict('agenda-items-unheard', 'Every case on the agenda must be heard or deferred before the conference is concluded.', {
          itemIds: unheard.map((i) => i.id),
        });
      }
      const now = this.clock.now();
      await tx.query(`UPDATE conferences SET status = 'concluded', concluded_at = $2, version = version + 1, updated_at = $2 WHERE id = $1`, [id, now]);
      const view = await loadView(tx, id);
      await this.audit.record(tx, {
        action: 'conference.conclude',
        objectType: 'conference',
        objectId: id,
        groupId: group.id,
        details: { conferenceId: id, fromState: 'in_session', toState: 'concluded', count: view.agenda.length, version: view.version },
      });
      return view;
    });
  }

  /**
   * The item's case, then the conference, then the item, locked in that order (as AgendaService.add
   * locks case before conference); with the case's status as of the lock (a case closed while its
   * conference is in session stays on that agenda).
   */
  private async lockItem(
    tx: EntityManager,
    conferenceId: string,
    itemId: string,
    expectedVersion?: number,
  ): Promise<{ conference: ConferenceRow; item: ItemRow; caseStatus: CaseRow['status'] }> {
    const [peek] = await tx.query(`SELECT case_id FROM agenda_items WHERE id = $1 AND conference_id = $2`, [itemId, conferenceId]);
    if (!peek) throw Problem.notFound('The agenda item');
    const kase = await lockCase(tx, peek.case_id);
    if (!kase) throw Problem.notFound('The agenda item');
    const conference = await lockForChange(tx, conferenceId, expectedVersion);
    // Temporary cross-module read of the case reference, as in conference-store.ts loadAgenda.
    const [item]: ItemRow[] = await tx.query(
      `SELECT a.id, a.case_id, cs.reference AS case_reference, a.kind, a.status, a.is_repeat, a.score
         FROM agenda_items a JOIN cases cs ON cs.id = a.case_id WHERE a.id = $1 FOR UPDATE OF a`,
      [itemId],
    );
    // Taken off the agenda while this transaction waited for the locks (agenda remove, or its case closed).
    if (!item) throw Problem.notFound('The agenda item');
    return { conference, item, caseStatus: kase.status };
  }

  /** Member agencies and their active users (422s naming the entry, never the person). */
  private async checkAttendees(tx: EntityManager, group: GroupDto, entries: AttendanceEntryDto[]): Promise<void> {
    const notMember: FieldError[] = [];
    const badUser: FieldError[] = [];
    const named = entries.flatMap((e) => (e.userId ? [e.userId.toLowerCase()] : []));
    const users = new Map((await this.users.findMany([...new Set(named)], tx)).map((u) => [u.id, u]));
    for (const [i, e] of entries.entries()) {
      const agencyId = e.agencyId.toLowerCase();
      if (!group.agencyIds.includes(agencyId)) {
        notMember.push({ field: `entries.${i}.agencyId`, message: 'not a member agency of the group' });
        continue;
      }
      if (e.userId) {
        const attendee = users.get(e.userId.toLowerCase());
        if (!attendee || !attendee.active || attendee.agencyId !== agencyId) badUser.push({ field: `entries.${i}.userId`, message: 'not an active user of the agency' });
      }
    }
    if (notMember.length) {
      throw Problem.unprocessable('attendance-agency-not-member', 'Not a member agency', 'Every attending agency must be a member of the conference’s group.', { errors: notMember });
    }
    if (badUser.length) {
      throw Problem.unprocessable('attendance-user-invalid', 'Not a worker of the agency', 'A named attendee must be an active user of the agency given with them.', { errors: badUser });
    }
  }
}

function notInSession(detail: string): Problem {
  return Problem.conflict('conference-not-in-session', detail);
}

function itemNotScheduled(): Problem {
  return Problem.conflict('agenda-item-not-scheduled', 'The case on this agenda item has already been heard or deferred.');
}
