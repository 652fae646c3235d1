/**
 * The follow-up and escalation ladder of an action (DOMAIN.md step 9), as a pure function of the
 * group's settings, the day the action was (re)assigned and its due date. Every rung fires at
 * 09:00 Helsinki on its working day; the timers module makes it happen exactly once, and each
 * handler checks that the obligation still stands before it mails anyone.
 *
 * With the defaults (acknowledge within 2, escalate after 2 more, due reminder 2 before,
 * coordinator 2 and chair 5 working days into the overdue period), an action assigned on
 * Tuesday 9 June 2026 and due Friday 19 June (Midsummer Eve, so due Monday 22 June):
 *   acknowledge-reminder  Thu 11 June  → the agency             (level 1)
 *   acknowledge-escalation Mon 15 June → the group's coordinators (level 2)
 *   due-reminder (before) Wed 17 June  → the agency
 *   due-reminder (on)     Mon 22 June  → the agency
 *   overdue.agency        Tue 23 June  → the agency, and the case goes on the next agenda (level 1)
 *   overdue.coordinator   Thu 25 June  → the coordinators      (level 2)
 *   overdue.chair         Tue 30 June  → the chairs            (level 3)
 * "Overdue" starts on the first working day after the due date; the coordinator and chair rungs
 * count their working days from that day.
 */
import { addWorkingDays, helsinkiDateTime, workingDaysBefore, type CalendarDate } from '../../../libs/business-calendar/index.js';

export const ACK_REMINDER = 'action.acknowledge-reminder';
export const ACK_ESCALATION = 'action.acknowledge-escalation';
export const DUE_REMINDER = 'action.due-reminder';
export const OVERDUE_AGENCY = 'action.overdue.agency';
export const OVERDUE_COORDINATOR = 'action.overdue.coordinator';
export const OVERDUE_CHAIR = 'action.overdue.chair';
/** One mail a day per agency mailbox instead of single reminders (the group's `actionDigest`). */
export const ACTION_DIGEST = 'action.digest';

export const LADDER_KINDS = [ACK_REMINDER, ACK_ESCALATION, DUE_REMINDER, OVERDUE_AGENCY, OVERDUE_COORDINATOR, OVERDUE_CHAIR] as const;
export type LadderKind = (typeof LADDER_KINDS)[number];

/** The rungs that only concern whether the action was acknowledged (restarted on reassignment). */
export const ACKNOWLEDGE_KINDS: readonly LadderKind[] = [ACK_REMINDER, ACK_ESCALATION];
/** The rungs that follow the due date (restarted when it changes). */
export const DUE_KINDS: readonly LadderKind[] = [DUE_REMINDER, OVERDUE_AGENCY, OVERDUE_COORDINATOR, OVERDUE_CHAIR];

export const LADDER_TIME = '09:00';
/** The digest goes out after the morning's rungs have fired. */
export const DIGEST_TIME = '09:30';

export type Audience = 'agency' | 'coordinator' | 'chair';

/** Who each rung tells and the escalation level it raises the action to (0: a reminder only). */
export const RUNGS: Record<LadderKind, { audience: Audience; level: number }> = {
  [ACK_REMINDER]: { audience: 'agency', level: 1 },
  [ACK_ESCALATION]: { audience: 'coordinator', level: 2 },
  [DUE_REMINDER]: { audience: 'agency', level: 0 },
  [OVERDUE_AGENCY]: { audience: 'agency', level: 1 },
  [OVERDUE_COORDINATOR]: { audience: 'coordinator', level: 2 },
  [OVERDUE_CHAIR]: { audience: 'chair', level: 3 },
};

export interface LadderSettings {
  acknowledgeWithinWorkingDays: number;
  acknowledgeEscalateAfterWorkingDays: number;
  dueReminderWorkingDays: number;
  overdueCoordinatorAfterWorkingDays: number;
  overdueChairAfterWorkingDays: number;
}

export interface Rung {
  kind: LadderKind;
  /** Tells two rungs of one kind apart in the timer's dedupe key (`before`, `on`). */
  step: string;
  date: CalendarDate;
  fireAt: Date;
}

/** The acknowledgement rungs of an action (re)assigned on `assignedOn`. */
export function acknowledgeRungs(s: LadderSettings, assignedOn: CalendarDate): Rung[] {
  const remind = addWorkingDays(assignedOn, s.acknowledgeWithinWorkingDays);
  const escalate = addWorkingDays(remind, s.acknowledgeEscalateAfterWorkingDays);
  return [rung(ACK_REMINDER, 'remind', remind), rung(ACK_ESCALATION, 'escalate', escalate)];
}

/** The due-date rungs of an action due on `dueDate` (a working day). */
export function dueRungs(s: LadderSettings, dueDate: CalendarDate): Rung[] {
  const out: Rung[] = [];
  if (s.dueReminderWorkingDays > 0) out.push(rung(DUE_REMINDER, 'before', workingDaysBefore(dueDate, s.dueReminderWorkingDays)));
  out.push(rung(DUE_REMINDER, 'on', addWorkingDays(dueDate, 0)));
  const overdueFrom = addWorkingDays(dueDate, 1);
  out.push(rung(OVERDUE_AGENCY, 'agency', overdueFrom));
  out.push(rung(OVERDUE_COORDINATOR, 'coordinator', addWorkingDays(overdueFrom, s.overdueCoordinatorAfterWorkingDays)));
  out.push(rung(OVERDUE_CHAIR, 'chair', addWorkingDays(overdueFrom, s.overdueChairAfterWorkingDays)));
  return out;
}

/**
 * The rungs still ahead of `now`: a rung whose time has passed when the action is created (a
 * short due date, a late reassignment) is not sent late, except the overdue rungs, which are
 * never skipped: an action created already overdue fires them at once.
 */
export function pendingRungs(rungs: Rung[], now: Date): Rung[] {
  return rungs.filter((r) => r.fireAt.getTime() > now.getTime() || r.kind === OVERDUE_AGENCY || r.kind === OVERDUE_COORDINATOR || r.kind === OVERDUE_CHAIR);
}

function rung(kind: LadderKind, step: string, date: CalendarDate): Rung {
  return { kind, step, date, fireAt: helsinkiDateTime(date, LADDER_TIME) };
}
