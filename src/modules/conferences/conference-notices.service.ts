import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { helsinkiDateTime, toHelsinkiDate, workingDaysBefore } from '../../../libs/business-calendar/index.js';
import { CasesService } from '../cases/cases.service.js';
import type { GroupDto } from '../groups/dto/group.dto.js';
import { GroupsService } from '../groups/groups.service.js';
import { AgenciesService, type AgencyMailbox } from '../identity/agencies.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { TimerHandlerRegistry } from '../timers/timer-handler.registry.js';
import { TimersService } from '../timers/timers.service.js';
import type { ConferenceRow } from './conference-store.js';

export const AGENDA_PUBLISHED = 'conference.agenda-published';
export const CONFERENCE_REMINDER = 'conference.reminder';
export const VICTIM_VIEWS_REMINDER = 'conference.victim-views-reminder';
export const VICTIM_VIEWS_REQUEST = 'conference.victim-views-request';

/** An agenda item scheduled on a published agenda, its case open, with the case's advocate agency. */
interface AdvocateItem {
  item_id: string;
  case_id: string;
  group_id: string;
  starts_at: Date;
  published_at: Date | null;
  item_created_at: Date;
  reference: string;
  advocate_agency_id: string | null;
}

/** Reminders go out at this Helsinki time on their working day. */
const REMINDER_TIME = '09:00';

/**
 * What publishing an agenda sets in motion (DOMAIN.md steps 6–7 and 9): the notice with the
 * case count and an .ics to every member agency's mailbox, the advocate's victim-views reminder
 * per agenda item and the attendees' reminder the working day before. Everything runs in the
 * caller's transaction; the caller records its audit row last. Mails carry references, names of
 * organisations, instants and paths only.
 */
@Injectable()
export class ConferenceNoticesService implements OnModuleInit {
  constructor(
    private readonly groups: GroupsService,
    private readonly agencies: AgenciesService,
    private readonly notifications: NotificationsService,
    private readonly timers: TimersService,
    private readonly timerHandlers: TimerHandlerRegistry,
    private readonly cases: CasesService,
  ) {}

  onModuleInit(): void {
    // subject: the agenda item, so an item taken off the agenda (or heard, deferred) skips it.
    this.timerHandlers.register(VICTIM_VIEWS_REMINDER, {
      stillStands: async (tx, timer) => {
        const item = await this.agendaItemForReminder(tx, timer.subjectId);
        // The reminder stands while the case is on this published agenda, open, with an advocate,
        // and the advocate has not recorded the victim's views since the agenda was published.
        if (!item || item.advocate_agency_id === null) return false;
        return !(await this.cases.hasVictimViewsSince(tx, item.case_id, item.published_at ?? item.item_created_at));
      },
      fire: (tx, timer) => this.mailAdvocate(tx, VICTIM_VIEWS_REMINDER, timer.subjectId, (item, advocateId) => `${item.item_id}-${advocateId}-${item.starts_at.getTime()}`),
    });
    this.timerHandlers.register(CONFERENCE_REMINDER, {
      stillStands: async (tx, timer) => {
        const [row] = await tx.query(`SELECT status FROM conferences WHERE id = $1`, [timer.subjectId]);
        return row?.status === 'agenda_published';
      },
      fire: async (tx, timer) => {
        const [conference]: ConferenceRow[] = await tx.query(`SELECT id, group_id, starts_at, ends_at, version FROM conferences WHERE id = $1`, [timer.subjectId]);
        if (!conference) return;
        const group = await this.groups.find(conference.group_id, tx);
        if (!group) return;
        for (const agency of await this.memberMailboxes(tx, group)) {
          await this.notifications.enqueue(tx, {
            kind: CONFERENCE_REMINDER,
            recipient: agency.email,
            locale: group.settings.locale,
            params: this.meetingParams(conference, group),
            idempotencyKey: `${CONFERENCE_REMINDER}-${conference.id}-${agency.id}-${conference.starts_at.getTime()}`,
            groupId: group.id,
          });
        }
      },
    });
  }

  /**
   * `conference.agenda-published` to every active member agency's mailbox, once per agency and
   * version of the conference (a later agenda change sends it again with the new version).
   */
  async noticeAgenda(tx: EntityManager, conference: ConferenceRow, version: number): Promise<number> {
    const group = await this.groups.find(conference.group_id, tx);
    if (!group) return 0;
    const [{ n }] = await tx.query(`SELECT count(*)::int AS n FROM agenda_items WHERE conference_id = $1 AND status = 'scheduled'`, [conference.id]);
    const mailboxes = await this.memberMailboxes(tx, group);
    for (const agency of mailboxes) {
      await this.notifications.enqueue(tx, {
        kind: AGENDA_PUBLISHED,
        recipient: agency.email,
        locale: group.settings.locale,
        params: { ...this.meetingParams(conference, group), agencyName: agency.name, caseCount: n },
        idempotencyKey: `${AGENDA_PUBLISHED}-${conference.id}-${agency.id}-v${version}`,
        groupId: group.id,
      });
    }
    return mailboxes.length;
  }

  /** The attendees' reminder at 09:00 Helsinki on the working day before the meeting. */
  async scheduleConferenceReminder(tx: EntityManager, conference: ConferenceRow): Promise<void> {
    const fireAt = helsinkiDateTime(workingDaysBefore(toHelsinkiDate(conference.starts_at), 1), REMINDER_TIME);
    await this.timers.schedule(tx, { kind: CONFERENCE_REMINDER, subjectType: 'conference', subjectId: conference.id, fireAt, dedupeKey: `${CONFERENCE_REMINDER}-${conference.id}` });
  }

  /**
   * Publishing starts the research period (DOMAIN.md step 6): the advocate agency of the item's
   * case, if it has one, is asked for the victim's views and wishes now (once per item and
   * advocate agency), and reminded before the meeting if they are still not recorded. Called
   * while the item is scheduled on a published agenda: at publication, or when a case is put
   * on an agenda already published.
   */
  async askAdvocate(tx: EntityManager, itemId: string, conference: ConferenceRow, reminderWorkingDays: number): Promise<void> {
    await this.mailAdvocate(tx, VICTIM_VIEWS_REQUEST, itemId, (item, advocateId) => `${item.item_id}-${advocateId}`);
    await this.scheduleVictimViewsReminder(tx, conference, itemId, reminderWorkingDays);
  }

  /** A victim-views mail (`kind`: the request or the reminder) to the advocate agency of the item's case, if it has an active one. */
  private async mailAdvocate(tx: EntityManager, kind: string, itemId: string, keyOf: (item: AdvocateItem, advocateId: string) => string): Promise<void> {
    const item = await this.agendaItemForReminder(tx, itemId);
    if (!item?.advocate_agency_id) return;
    const advocate = await this.agencies.find(item.advocate_agency_id, tx);
    if (!advocate?.active || !advocate.email) return;
    const settings = await this.groups.settings(item.group_id, tx);
    await this.notifications.enqueue(tx, {
      kind,
      recipient: advocate.email,
      locale: settings.locale,
      params: { reference: item.reference, startsAt: item.starts_at.toISOString(), path: `/cases/${item.case_id}` },
      idempotencyKey: `${kind}-${keyOf(item, advocate.id)}`,
      groupId: item.group_id,
    });
  }

  /** The advocate's victim-views reminder for one agenda item, `victimViewsReminderWorkingDays` before the meeting at 09:00 Helsinki. */
  private async scheduleVictimViewsReminder(tx: EntityManager, conference: ConferenceRow, itemId: string, workingDays: number): Promise<void> {
    const fireAt = helsinkiDateTime(workingDaysBefore(toHelsinkiDate(conference.starts_at), workingDays), REMINDER_TIME);
    await this.timers.schedule(tx, { kind: VICTIM_VIEWS_REMINDER, subjectType: 'agenda-item', subjectId: itemId, fireAt, dedupeKey: `${VICTIM_VIEWS_REMINDER}-${itemId}` });
  }

  /** The attendees' reminder is moot once the conference has started. */
  async cancelConferenceReminder(tx: EntityManager, conferenceId: string): Promise<void> {
    await this.timers.cancel(tx, { kind: CONFERENCE_REMINDER, subjectType: 'conference', subjectId: conferenceId });
  }

  async cancelVictimViewsReminder(tx: EntityManager, itemId: string): Promise<void> {
    await this.timers.cancel(tx, { kind: VICTIM_VIEWS_REMINDER, subjectType: 'agenda-item', subjectId: itemId });
  }

  private meetingParams(conference: Pick<ConferenceRow, 'id' | 'starts_at' | 'ends_at'>, group: GroupDto) {
    return {
      groupName: group.name,
      startsAt: conference.starts_at.toISOString(),
      endsAt: conference.ends_at.toISOString(),
      conferenceId: conference.id,
      path: `/conferences/${conference.id}`,
    };
  }

  private memberMailboxes(tx: EntityManager, group: GroupDto): Promise<AgencyMailbox[]> {
    return this.agencies.activeMailboxes(group.agencyIds, tx);
  }

  /** The item, while scheduled on a published conference and its case open; with the case's advocate agency. */
  private async agendaItemForReminder(tx: EntityManager, itemId: string): Promise<AdvocateItem | undefined> {
    // Temporary cross-module read of `cases` (reference, status, advocate), as in conference-store.ts.
    const [row] = await tx.query(
      `SELECT a.id AS item_id, a.case_id, c.group_id, c.starts_at, c.published_at, a.created_at AS item_created_at, cs.reference, cs.advocate_agency_id
         FROM agenda_items a JOIN conferences c ON c.id = a.conference_id JOIN cases cs ON cs.id = a.case_id
        WHERE a.id = $1 AND a.status = 'scheduled' AND c.status = 'agenda_published' AND cs.status = 'open'`,
      [itemId],
    );
    return row;
  }
}
