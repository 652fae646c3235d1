import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { Problem } from '../../common/problems/problem.js';
import type { AuthUser } from '../../common/request-context.js';
import { Clock } from '../../platform/clock/clock.js';
import { AuditService } from '../audit/audit.service.js';
import { CasesService } from '../cases/cases.service.js';
import { GroupsService } from '../groups/groups.service.js';
import { isPermutationOf } from './agenda-order.js';
import { ConferenceNoticesService } from './conference-notices.service.js';
import {
  NOT_TAKEN_PLACE,
  OPEN_FOR_PLACEMENT,
  authorizeConference,
  bumpVersion,
  findScheduledItem,
  insertAgendaItem,
  loadView,
  lockCase,
  lockConference,
  lockForChange,
  type ConferenceRow,
} from './conference-store.js';
import type { AgendaKind, ConferenceDto } from './dto/conference.dto.js';

/**
 * The coordinator's hand on the agenda: add a case, take one off, reorder. Each is one
 * transaction that locks the conference row, checks `If-Match` against its version, bumps the
 * version and ends with the audit row. On a published agenda every change sends the member
 * agencies the agenda notice again (a new version, a new message).
 */
@Injectable()
export class AgendaService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly groups: GroupsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly notices: ConferenceNoticesService,
    private readonly cases: CasesService,
  ) {}

  onModuleInit(): void {
    this.cases.onClosure((tx, caseId) => this.takeOffClosedCase(tx, caseId));
  }

  /**
   * A closed case is not heard: its scheduled item on a conference still planned or published is
   * taken off that agenda (positions closed up, the advocate's reminder cancelled, member agencies
   * told again when it was published). Runs inside the closing transaction, before its audit row
   * (which records the closure); the case row is locked already, the conference is locked here,
   * in the same order as placements take them. An item on a conference in session stays: the
   * chair hears or defers it.
   */
  private async takeOffClosedCase(tx: EntityManager, caseId: string): Promise<void> {
    const item = await findScheduledItem(tx, caseId);
    if (!item) return;
    const conference = await lockConference(tx, item.conference_id);
    if (!conference || !OPEN_FOR_PLACEMENT.includes(conference.status)) return;
    const [current] = await tx.query(`SELECT position FROM agenda_items WHERE id = $1 AND status = 'scheduled'`, [item.item_id]);
    if (!current) return;
    await this.takeOffAgenda(tx, conference, item.item_id, current.position);
  }

  /**
   * `POST /conferences/:id/agenda {caseId}`: an open case of the conference's group (404 for a
   * case that does not exist or belongs to another group; 422 `case-not-open`), on a planned or
   * published conference (422 `conference-closed`) with room (422 `conference-full`); the cut-off
   * does not apply (the coordinator decides). 409 `case-already-scheduled` when the case is on
   * an agenda that has not taken place. Kind: `repeat` for a repeat case, `review` for a case
   * heard before, else `new`; placed by the order of agenda-order.ts (no score known here).
   */
  async add(user: AuthUser, conferenceId: string, caseId: string, expectedVersion?: number): Promise<ConferenceDto> {
    return this.db.transaction(async (tx) => {
      const kase = await lockCase(tx, caseId);
      const conference = await this.lockManageable(tx, user, conferenceId, expectedVersion);
      if (!kase || kase.group_id !== conference.group_id) throw Problem.notFound('The case');
      if (kase.status !== 'open') throw Problem.unprocessable('case-not-open', 'Case not open', 'Only an open case can be put on an agenda.');
      if (!OPEN_FOR_PLACEMENT.includes(conference.status)) throw conferenceClosed();
      const existing = await findScheduledItem(tx, caseId);
      if (existing) {
        throw Problem.conflict('case-already-scheduled', 'The case is already on the agenda of a conference that has not taken place.', {
          conferenceId: existing.conference_id,
          itemId: existing.item_id,
        });
      }
      if (conference.scheduled_count >= conference.capacity) {
        throw Problem.unprocessable('conference-full', 'Conference full', `The conference has room for ${conference.capacity} cases and its agenda is full.`, { conferenceId });
      }
      const [{ heard }] = await tx.query(`SELECT EXISTS (SELECT 1 FROM agenda_items WHERE case_id = $1 AND status = 'heard') AS heard`, [caseId]);
      const kind: AgendaKind = kase.is_repeat ? 'repeat' : heard ? 'review' : 'new';
      const { itemId } = await insertAgendaItem(tx, conference, { caseId, kind, isRepeat: kase.is_repeat, score: null, deferredFrom: null, now: this.clock.now() });
      const view = await loadView(tx, conferenceId);
      if (conference.status === 'agenda_published') {
        const settings = await this.groups.settings(conference.group_id, tx);
        await this.notices.askAdvocate(tx, itemId, conference, settings.victimViewsReminderWorkingDays);
        await this.notices.noticeAgenda(tx, conference, view.version);
      }
      await this.audit.record(tx, {
        action: 'agenda.add',
        objectType: 'conference',
        objectId: conferenceId,
        groupId: conference.group_id,
        details: { conferenceId, caseId, kind, version: view.version },
      });
      return view;
    });
  }

  /** `DELETE /conferences/:id/agenda/:itemId`: a scheduled item of a planned or published conference; the items after it move up. */
  async remove(user: AuthUser, conferenceId: string, itemId: string, expectedVersion?: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      const conference = await this.lockManageable(tx, user, conferenceId, expectedVersion);
      const [item] = await tx.query(`SELECT id, case_id, status, position FROM agenda_items WHERE id = $1 AND conference_id = $2`, [itemId, conferenceId]);
      if (!item) throw Problem.notFound('The agenda item');
      if (!OPEN_FOR_PLACEMENT.includes(conference.status)) throw conferenceClosed();
      if (item.status !== 'scheduled') throw Problem.conflict('agenda-item-not-scheduled', 'Only a scheduled item can be taken off the agenda.');
      const version = await this.takeOffAgenda(tx, conference, itemId, item.position);
      await this.audit.record(tx, {
        action: 'agenda.remove',
        objectType: 'conference',
        objectId: conferenceId,
        groupId: conference.group_id,
        details: { conferenceId, caseId: item.case_id, version },
      });
    });
  }

  /**
   * `PUT /conferences/:id/agenda/order {itemIds}`: `itemIds` must list exactly the scheduled
   * items (409 `agenda-order-mismatch` otherwise: reload and try again). Items already heard or
   * deferred keep the first positions in their order; the scheduled ones follow as listed.
   * Allowed until the conference is concluded.
   */
  async reorder(user: AuthUser, conferenceId: string, itemIds: string[], expectedVersion?: number): Promise<ConferenceDto> {
    return this.db.transaction(async (tx) => {
      const conference = await this.lockManageable(tx, user, conferenceId, expectedVersion);
      if (!NOT_TAKEN_PLACE.includes(conference.status)) throw conferenceClosed();
      const items: Array<{ id: string; status: string }> = await tx.query(`SELECT id, status FROM agenda_items WHERE conference_id = $1 ORDER BY position`, [conferenceId]);
      const scheduled = items.filter((i) => i.status === 'scheduled').map((i) => i.id);
      if (!isPermutationOf(scheduled, itemIds)) {
        throw Problem.conflict('agenda-order-mismatch', 'itemIds must list every scheduled item of the agenda exactly once; reload the conference and try again.');
      }
      const order = [...items.filter((i) => i.status !== 'scheduled').map((i) => i.id), ...itemIds.map((id) => id.toLowerCase())];
      await tx.query(
        `UPDATE agenda_items a SET position = (u.ord - 1)::int, updated_at = now()
           FROM unnest($2::uuid[]) WITH ORDINALITY AS u (id, ord)
          WHERE a.id = u.id AND a.conference_id = $1`,
        [conferenceId, order],
      );
      await bumpVersion(tx, conferenceId);
      const view = await loadView(tx, conferenceId);
      if (conference.status === 'agenda_published') await this.notices.noticeAgenda(tx, conference, view.version);
      await this.audit.record(tx, {
        action: 'agenda.reorder',
        objectType: 'conference',
        objectId: conferenceId,
        groupId: conference.group_id,
        details: { conferenceId, count: itemIds.length, version: view.version },
      });
      return view;
    });
  }

  /**
   * Locks the conference for an agenda change by the group's coordinator: 404 unless the user
   * may see it, 403 unless coordinator, 409 `version-conflict` against `If-Match`.
   */
  private async lockManageable(tx: EntityManager, user: AuthUser, conferenceId: string, expectedVersion?: number): Promise<ConferenceRow> {
    await authorizeConference(tx, this.groups, user, conferenceId, 'coordinator', 'Only the group’s coordinator changes the agenda.');
    return lockForChange(tx, conferenceId, expectedVersion);
  }

  /**
   * Takes a scheduled item (at `position`) off the agenda of a locked conference that is planned
   * or published: the items after it move up, the version is bumped, the advocate's victim-views
   * reminder cancelled and, on a published agenda, the member agencies told again. Returns the
   * conference's new version.
   */
  private async takeOffAgenda(tx: EntityManager, conference: ConferenceRow, itemId: string, position: number): Promise<number> {
    await tx.query(`DELETE FROM agenda_items WHERE id = $1`, [itemId]);
    await tx.query(`UPDATE agenda_items SET position = position - 1 WHERE conference_id = $1 AND position > $2`, [conference.id, position]);
    await bumpVersion(tx, conference.id);
    const version = conference.version + 1;
    await this.notices.cancelVictimViewsReminder(tx, itemId);
    if (conference.status === 'agenda_published') await this.notices.noticeAgenda(tx, conference, version);
    return version;
  }
}

function conferenceClosed(): Problem {
  return Problem.unprocessable('conference-closed', 'Conference closed', 'The conference is in session or concluded; its agenda can no longer change this way.');
}
