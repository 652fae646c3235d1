import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../../common/request-context.js';

/**
 * What the conferences module needs of agency actions. The actions module depends on
 * conferences (overdue actions go on the next agenda), so it implements this port and hands it
 * to ConferencesService.useActions in its onModuleInit; conferences never read its tables.
 */
export interface OutcomeActionInput {
  agencyId: string;
  description: string;
  /** A Helsinki calendar date YYYY-MM-DD (moved to the next working day by the deadline rule) ... */
  dueDate?: string;
  /** ... or a count of working days from the meeting's date. Exactly one of the two. */
  dueInWorkingDays?: number;
}

export interface RecordedAction {
  id: string;
  agencyId: string;
  /** The owning agency's name (for the minutes and the outcome's answer). */
  agencyName: string;
  description: string;
  dueDate: string;
  status: string;
}

export interface ActionsPort {
  /**
   * Inside the outcome's transaction, before its audit row: checks each action (422 problems:
   * the agency must be an active member of the group, the due date after the meeting) and
   * creates them `assigned`, with their history, the notice to the agency and the ladder's timers.
   */
  createForOutcome(
    tx: EntityManager,
    p: {
      actor: AuthUser;
      groupId: string;
      caseId: string;
      conferenceId: string;
      agendaItemId: string;
      /** The meeting's Helsinki date: dueInWorkingDays counts from it. */
      meetingDate: string;
      actions: OutcomeActionInput[];
    },
  ): Promise<RecordedAction[]>;
  /** The actions agreed at these agenda items (for the minutes), with their current status, in creation order. */
  actionsOfItems(manager: EntityManager, itemIds: string[]): Promise<Array<RecordedAction & { agendaItemId: string }>>;
}
