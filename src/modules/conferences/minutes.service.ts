import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { Problem } from '../../common/problems/problem.js';
import type { AuthUser } from '../../common/request-context.js';
import { FieldCryptoService } from '../../platform/crypto/field-crypto.service.js';
import { AuditService } from '../audit/audit.service.js';
import { CasesService } from '../cases/cases.service.js';
import type { GroupDto } from '../groups/dto/group.dto.js';
import { GroupsService } from '../groups/groups.service.js';
import { slotStartsAt } from './conference-schedule.js';
import { findConference, loadAgenda, loadAttendance } from './conference-store.js';
import { ConferencePolicy } from './conference.policy.js';
import { ConferencesService } from './conferences.service.js';
import type { ConferenceStatus, MinutesDto, MinutesItemDto, RiskLevel } from './dto/conference.dto.js';
import { renderMinutesPdf } from './minutes-pdf.js';

/** Minutes exist once the meeting has begun. */
const HELD: readonly ConferenceStatus[] = ['in_session', 'concluded'];

/**
 * The minutes of a conference (DOMAIN.md step 7), as JSON or PDF. Who sees what: the group's
 * coordinators and chairs everything; a member agency's representative everything but only their
 * own agency's actions ("sees the actions of their own agency only"); for a restricted case a
 * reader not named on it sees the reference and the agencies involved only. 404 for whoever may
 * not see the conference; 409 `minutes-not-available` before it has started (there are no
 * minutes yet, and the agenda itself is GET /conferences/:id). Every read is audited
 * (`conference.minutes.read`, with the case ids).
 */
@Injectable()
export class MinutesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly groups: GroupsService,
    private readonly audit: AuditService,
    private readonly crypto: FieldCryptoService,
    private readonly cases: CasesService,
    private readonly conferences: ConferencesService,
  ) {}

  /** `GET /conferences/:id/minutes` as JSON. */
  async json(user: AuthUser, id: string): Promise<MinutesDto> {
    return this.db.transaction(async (tx) => (await this.read(tx, user, id, 'json')).minutes);
  }

  /** `GET /conferences/:id/minutes` with `Accept: application/pdf` or `?format=pdf`. */
  async pdf(user: AuthUser, id: string): Promise<Buffer> {
    const { minutes, group, agencyNames } = await this.db.transaction((tx) => this.read(tx, user, id, 'pdf'));
    return renderMinutesPdf(minutes, { groupName: group.name, agencyNames });
  }

  /** The minutes the user may see, with the names of every agency they mention (attending, or owning an action agreed at the meeting). */
  private async read(tx: EntityManager, user: AuthUser, id: string, format: 'json' | 'pdf'): Promise<{ minutes: MinutesDto; group: GroupDto; agencyNames: Map<string, string> }> {
    const conference = await findConference(tx, id);
    const group = conference && (await this.groups.find(conference.group_id, tx));
    if (!conference || !group || !ConferencePolicy.canSeeAgenda(user, group, conference.status)) throw Problem.notFound('The conference');
    if (!HELD.includes(conference.status)) {
      throw Problem.conflict('minutes-not-available', 'The conference has not started: there are no minutes yet. Its agenda is at GET /conferences/{id}.');
    }
    const agenda = await loadAgenda(tx, id);
    const itemIds = agenda.map((a) => a.id);
    const attendance = await loadAttendance(tx, id);
    const outcomes = new Map<string, { risk_summary_enc: Buffer; risk_level: RiskLevel; recorded_at: Date }>(
      (await tx.query(`SELECT item_id, risk_summary_enc, risk_level, recorded_at FROM agenda_outcomes WHERE item_id = ANY($1::uuid[])`, [itemIds])).map(
        (r: { item_id: string }) => [r.item_id, r],
      ),
    );
    const deferrals = new Map<string, { reason_enc: Buffer; recorded_at: Date; deferred_to: string | null }>(
      (
        await tx.query(
          `SELECT d.item_id, d.reason_enc, d.recorded_at,
                  (SELECT n.conference_id FROM agenda_items n WHERE n.deferred_from = d.item_id ORDER BY n.created_at LIMIT 1) AS deferred_to
             FROM agenda_deferrals d WHERE d.item_id = ANY($1::uuid[])`,
          [itemIds],
        )
      ).map((r: { item_id: string }) => [r.item_id, r]),
    );
    const restricted = await this.cases.restrictedFrom(tx, user, agenda.map((a) => a.case_id));
    const actions = (await this.conferences.actions?.actionsOfItems(tx, itemIds)) ?? [];
    const allAgencies = ConferencePolicy.seesAllActions(user, group.id);

    const items = agenda.map((a): MinutesItemDto => {
      const hidden = restricted.has(a.case_id);
      const agreed = actions.filter((x) => x.agendaItemId === a.id);
      const outcome = outcomes.get(a.id);
      const deferral = deferrals.get(a.id);
      return {
        itemId: a.id,
        caseId: a.case_id,
        caseReference: a.case_reference,
        position: a.position,
        kind: a.kind,
        status: a.status,
        slotStartsAt: slotStartsAt(conference.starts_at, a.position, conference.minutes_per_case).toISOString(),
        restricted: hidden,
        agencies: [...new Set(agreed.map((x) => x.agencyId))],
        outcome:
          outcome && !hidden
            ? {
                riskLevel: outcome.risk_level,
                riskSummary: this.crypto.decrypt(outcome.risk_summary_enc, { table: 'agenda_outcomes', column: 'risk_summary', rowId: a.id }),
                recordedAt: outcome.recorded_at.toISOString(),
              }
            : null,
        deferral:
          deferral && !hidden
            ? {
                reason: this.crypto.decrypt(deferral.reason_enc, { table: 'agenda_deferrals', column: 'reason', rowId: a.id }),
                deferredTo: deferral.deferred_to,
                recordedAt: deferral.recorded_at.toISOString(),
              }
            : null,
        actions: agreed
          .filter((x) => allAgencies || x.agencyId === user.agencyId)
          .map((x) => ({ id: x.id, agencyId: x.agencyId, agencyName: x.agencyName, description: hidden ? null : x.description, dueDate: x.dueDate, status: x.status })),
      };
    });
    await this.audit.record(tx, {
      action: 'conference.minutes.read',
      objectType: 'conference',
      objectId: id,
      groupId: group.id,
      details: { conferenceId: id, caseId: agenda.map((a) => a.case_id), count: agenda.length, format, restricted: restricted.size > 0 },
    });
    return {
      group,
      agencyNames: new Map([...attendance.map((a): [string, string] => [a.agencyId, a.agencyName]), ...actions.map((x): [string, string] => [x.agencyId, x.agencyName])]),
      minutes: {
        conference: {
          id: conference.id,
          groupId: conference.group_id,
          startsAt: conference.starts_at.toISOString(),
          endsAt: conference.ends_at.toISOString(),
          location: conference.location,
          status: conference.status,
          extraordinary: conference.extraordinary,
          startedAt: conference.started_at?.toISOString() ?? null,
          concludedAt: conference.concluded_at?.toISOString() ?? null,
        },
        attendance,
        items,
      },
    };
  }
}
