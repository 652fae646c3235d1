import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { helsinkiDateTime, toHelsinkiDate } from '../../../libs/business-calendar/index.js';
import { Problem } from '../../common/problems/problem.js';
import { Clock } from '../../platform/clock/clock.js';
import { FieldCryptoService } from '../../platform/crypto/field-crypto.service.js';
import { AuditService } from '../audit/audit.service.js';
import { ConferencesService } from '../conferences/conferences.service.js';
import type { GroupSettings } from '../groups/group-settings.js';
import { GroupsService } from '../groups/groups.service.js';
import { AgenciesService } from '../identity/agencies.service.js';
import { UsersService } from '../identity/users.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import type { Timer } from '../timers/timer.js';
import { TimerHandlerRegistry } from '../timers/timer-handler.registry.js';
import { TimersService } from '../timers/timers.service.js';
import {
  ACKNOWLEDGE_KINDS,
  ACK_ESCALATION,
  ACK_REMINDER,
  ACTION_DIGEST,
  DIGEST_TIME,
  DUE_KINDS,
  DUE_REMINDER,
  LADDER_KINDS,
  OVERDUE_AGENCY,
  OVERDUE_CHAIR,
  OVERDUE_COORDINATOR,
  RUNGS,
  acknowledgeRungs,
  dueRungs,
  pendingRungs,
  type LadderKind,
} from './action-ladder.js';
import { addEvent, findAction, type ActionRow } from './action-store.js';
import type { ActionStatus } from './dto/action.dto.js';

/** The rungs addressed to the owning agency (the ones a digest gathers). */
const AGENCY_KINDS = LADDER_KINDS.filter((k) => RUNGS[k].audience === 'agency');

/** The statuses in which each rung's obligation still stands. */
const STANDS: Record<LadderKind, readonly ActionStatus[]> = {
  [ACK_REMINDER]: ['assigned'],
  [ACK_ESCALATION]: ['assigned'],
  [DUE_REMINDER]: ['assigned', 'acknowledged'],
  [OVERDUE_AGENCY]: ['assigned', 'acknowledged'],
  // A declined action is the coordinator's to reassign or cancel: the group is still told.
  [OVERDUE_COORDINATOR]: ['assigned', 'acknowledged', 'declined'],
  [OVERDUE_CHAIR]: ['assigned', 'acknowledged', 'declined'],
};

/**
 * The follow-up and escalation ladder (action-ladder.ts) on durable timers: scheduling and
 * cancelling an action's rungs, and what each rung does when it fires — the mail (or, with the
 * group's `actionDigest`, a line in the agency's daily digest), the escalation level, a line in
 * the action's history, the audit row; the first overdue rung also puts the case on the next
 * conference's agenda for review. Mails carry the case reference, organisation names, the due
 * date and a link, never the action's text.
 */
@Injectable()
export class ActionLadderService implements OnModuleInit {
  constructor(
    private readonly timers: TimersService,
    private readonly timerHandlers: TimerHandlerRegistry,
    private readonly notifications: NotificationsService,
    private readonly groups: GroupsService,
    private readonly users: UsersService,
    private readonly agencies: AgenciesService,
    private readonly conferences: ConferencesService,
    private readonly audit: AuditService,
    private readonly crypto: FieldCryptoService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    for (const kind of LADDER_KINDS) {
      this.timerHandlers.register(kind, {
        stillStands: async (tx, timer) => {
          const row = await findAction(tx, timer.subjectId);
          return !!row && row.case_status === 'open' && STANDS[kind].includes(row.status);
        },
        fire: (tx, timer) => this.fireRung(tx, kind, timer),
      });
    }
    this.timerHandlers.register(ACTION_DIGEST, {
      stillStands: async (tx, timer) => (await this.digestEntries(tx, timer.subjectId)).length > 0,
      fire: (tx, timer) => this.fireDigest(tx, timer),
    });
  }

  /** Schedules the rungs still ahead (action-ladder.ts `pendingRungs`); `stamp` keeps a new ladder's timers apart from a cancelled one's. */
  async schedule(tx: EntityManager, a: { id: string; due_date: string }, settings: GroupSettings, parts: { acknowledge: boolean; due: boolean }, stamp: number): Promise<void> {
    const now = this.clock.now();
    const rungs = [
      ...(parts.acknowledge ? acknowledgeRungs(settings, toHelsinkiDate(now)) : []),
      ...(parts.due ? dueRungs(settings, a.due_date) : []),
    ];
    for (const r of pendingRungs(rungs, now)) {
      await this.timers.schedule(tx, { kind: r.kind, subjectType: 'action', subjectId: a.id, fireAt: r.fireAt, dedupeKey: `${r.kind}-${a.id}-${r.step}-v${stamp}` });
    }
  }

  /** Cancels the action's pending rungs: all of them, or those of the acknowledgement or the due date. */
  async cancel(tx: EntityManager, actionId: string, parts: { acknowledge: boolean; due: boolean }): Promise<void> {
    const kinds = [...(parts.acknowledge ? ACKNOWLEDGE_KINDS : []), ...(parts.due ? DUE_KINDS : [])];
    if (kinds.length) await this.timers.cancel(tx, { kinds, subjectType: 'action', subjectId: actionId });
  }

  private async fireRung(tx: EntityManager, kind: LadderKind, timer: Timer): Promise<void> {
    const row = await findAction(tx, timer.subjectId, true);
    if (!row) return;
    const settings = await this.groups.settings(row.group_id, tx);
    const { audience, level } = RUNGS[kind];
    const raised = Math.max(row.escalation_level, level);
    if (raised !== row.escalation_level) {
      await tx.query(`UPDATE actions SET escalation_level = $2, version = version + 1, updated_at = $3 WHERE id = $1`, [row.id, raised, this.clock.now()]);
    }
    const digest = audience === 'agency' && settings.actionDigest;
    await addEvent(tx, this.crypto, row.id, this.clock.now(), { event: kind, actorId: null, escalationLevel: raised, extra: digest ? { digest: true } : {} });
    if (digest) await this.scheduleDigest(tx, row.agency_id, timer.fireAt);
    else if (audience === 'agency') await this.mailAgency(tx, kind, row, settings, `${timer.id}`);
    else await this.mailRole(tx, kind, row, audience, settings, `${timer.id}`);
    if (kind === OVERDUE_AGENCY) await this.placeForReview(tx, row);
    await this.audit.record(tx, {
      action: 'action.escalate',
      objectType: 'action',
      objectId: row.id,
      groupId: row.group_id,
      actor: null,
      details: { actionId: row.id, caseId: row.case_id, kind, agencyId: row.agency_id, dueDate: row.due_date, timerId: timer.id },
    });
  }

  /** `action.assigned`, `action.changed`, `action.withdrawn` and the agency rungs: to the owning agency's mailbox. */
  async mailAgency(tx: EntityManager, kind: string, row: ActionRow, settings: GroupSettings, key: string): Promise<void> {
    if (row.agency_active && row.agency_email) await this.mail(tx, kind, row, settings, { id: row.agency_id, email: row.agency_email }, key);
  }

  /** Escalations, declines and not-possible notices: to the group's coordinators (or chairs). */
  async mailRole(tx: EntityManager, kind: string, row: ActionRow, role: 'coordinator' | 'chair', settings: GroupSettings, key: string): Promise<void> {
    for (const person of await this.users.withRole(row.group_id, role, tx)) await this.mail(tx, kind, row, settings, person, key);
  }

  /** Every action mail names the case, the owning agency and the due date, and links to the action; once per recipient and key. */
  private async mail(tx: EntityManager, kind: string, row: ActionRow, settings: GroupSettings, to: { id: string; email: string }, key: string): Promise<void> {
    await this.notifications.enqueue(tx, {
      kind,
      recipient: to.email,
      locale: settings.locale,
      params: { reference: row.case_reference, agencyName: row.agency_name, path: `/actions/${row.id}`, dueDate: row.due_date },
      idempotencyKey: `${kind}-${row.id}-${to.id}-${key}`,
      groupId: row.group_id,
    });
  }

  /**
   * Every overdue action is listed for review on the next conference (DOMAIN.md step 9): the case
   * goes on the group's next conference with room as a `review` item, unless it is already
   * scheduled. When no conference can take it (none scheduled, all full), the action stays
   * overdue in the inbox and in the coordinator's rung; the placement never undoes the rung (a savepoint).
   */
  private async placeForReview(tx: EntityManager, row: ActionRow): Promise<void> {
    await tx.query('SAVEPOINT review_placement');
    try {
      await this.conferences.placeCase(tx, { groupId: row.group_id, caseId: row.case_id, kind: 'review', isRepeat: false, score: null, now: this.clock.now() });
      await tx.query('RELEASE SAVEPOINT review_placement');
    } catch (e) {
      if (!(e instanceof Problem)) throw e;
      await tx.query('ROLLBACK TO SAVEPOINT review_placement');
    }
  }

  private async scheduleDigest(tx: EntityManager, agencyId: string, rungAt: Date): Promise<void> {
    const date = toHelsinkiDate(rungAt);
    const at = helsinkiDateTime(date, DIGEST_TIME);
    const now = this.clock.now();
    await this.timers.schedule(tx, {
      kind: ACTION_DIGEST,
      subjectType: 'agency',
      subjectId: agencyId,
      fireAt: at.getTime() > now.getTime() ? at : now,
      dedupeKey: `${ACTION_DIGEST}-${agencyId}-${date}`,
    });
  }

  /** The agency's rung events not yet in a digest, of actions still open. */
  private async digestEntries(tx: EntityManager, agencyId: string): Promise<Array<{ event_id: string; id: string; reference: string; group_id: string }>> {
    return tx.query(
      `SELECT e.id AS event_id, a.id, cs.reference, a.group_id
         FROM action_events e JOIN actions a ON a.id = e.action_id JOIN cases cs ON cs.id = a.case_id
        WHERE a.agency_id = $1 AND (e.details ->> 'digest') = 'true' AND (e.details ->> 'digested') IS NULL
          AND a.status IN ('assigned', 'acknowledged') AND cs.status = 'open'
        ORDER BY cs.reference, a.id`,
      [agencyId],
    );
  }

  /**
   * One mail for every rung that went to the agency's digest and is not in an earlier one. When
   * the clock has jumped, rungs due before the digest may still be firing: the digest then steps
   * aside and comes back once they are done, so none of them is left for tomorrow.
   */
  private async fireDigest(tx: EntityManager, timer: Timer): Promise<void> {
    const agencyId = timer.subjectId;
    // Two digests of one agency (a day's and a stepped-aside one) never gather the same lines:
    // the second waits here and then finds them marked.
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('action.digest'), hashtext($1))`, [agencyId]);
    const open: Array<{ id: string }> = await tx.query(`SELECT id FROM actions WHERE agency_id = $1 AND status IN ('assigned', 'acknowledged')`, [agencyId]);
    const waiting = await this.timers.pendingDue(tx, { kinds: AGENCY_KINDS, subjectType: 'action', subjectIds: open.map((o) => o.id), dueBy: timer.fireAt });
    if (waiting.length > 0) {
      await this.timers.schedule(tx, { kind: ACTION_DIGEST, subjectType: 'agency', subjectId: agencyId, fireAt: this.clock.now(), dedupeKey: `${ACTION_DIGEST}-${agencyId}-after-${timer.id}` });
      return;
    }
    const entries = await this.digestEntries(tx, agencyId);
    const agency = await this.agencies.find(agencyId, tx);
    if (!agency?.active || !agency.email || entries.length === 0) return;
    await tx.query(`UPDATE action_events SET details = details || '{"digested": true}'::jsonb WHERE id = ANY($1::uuid[])`, [entries.map((e) => e.event_id)]);
    const settings = await this.groups.settings(entries[0]!.group_id, tx);
    const actions = [...new Set(entries.map((e) => e.id))];
    const references = [...new Set(entries.map((e) => e.reference))].slice(0, 200);
    await this.notifications.enqueue(tx, {
      kind: ACTION_DIGEST,
      recipient: agency.email,
      locale: settings.locale,
      params: { agencyName: agency.name, count: actions.length, references, path: '/actions' },
      idempotencyKey: `${ACTION_DIGEST}-${agency.id}-${timer.id}`,
    });
  }
}
