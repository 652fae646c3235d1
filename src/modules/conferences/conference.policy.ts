import type { AuthUser } from '../../common/request-context.js';
import { GroupPolicy } from '../groups/group.policy.js';
import type { ConferenceStatus } from './dto/conference.dto.js';

interface GroupRef {
  id: string;
  agencyIds: string[];
}

/**
 * Who may see and change a group's conferences. Pure functions of the user's grants, the group
 * and the conference's status. Admins hold no conference permission at all (no case data).
 */
export const ConferencePolicy = {
  /** Schedule, generate, and edit agendas: the group's coordinator. */
  canManage(user: AuthUser, groupId: string): boolean {
    return GroupPolicy.hasRoleIn(user, groupId, 'coordinator');
  },
  /** Record attendance, defer a case: the group's coordinator or chair. */
  canRunMeeting(user: AuthUser, groupId: string): boolean {
    return GroupPolicy.hasRoleIn(user, groupId, 'coordinator', 'chair');
  },
  /** Start and conclude the conference, record outcomes: the group's chair. */
  canChair(user: AuthUser, groupId: string): boolean {
    return GroupPolicy.hasRoleIn(user, groupId, 'chair');
  },
  /** Everything in the minutes, every agency's actions: the group's coordinators and chairs. */
  seesAllActions(user: AuthUser, groupId: string): boolean {
    return GroupPolicy.hasRoleIn(user, groupId, 'coordinator', 'chair');
  },
  isAgencyRep(user: AuthUser, group: GroupRef): boolean {
    return GroupPolicy.hasRoleIn(user, group.id, 'agency_rep') && user.agencyId !== null && group.agencyIds.includes(user.agencyId);
  },
  /** The list of dates (no case data): the group's coordinators, chairs and member agencies' reps. */
  canSeeSchedule(user: AuthUser, group: GroupRef): boolean {
    return GroupPolicy.hasRoleIn(user, group.id, 'coordinator', 'chair') || this.isAgencyRep(user, group);
  },
  /**
   * One conference with its agenda (case references): the group's coordinators and chairs
   * always; a member agency's representative only once the agenda is published (the research
   * period starts then); everyone else is told it does not exist.
   */
  canSeeAgenda(user: AuthUser, group: GroupRef, status: ConferenceStatus): boolean {
    if (GroupPolicy.hasRoleIn(user, group.id, 'coordinator', 'chair')) return true;
    return status !== 'planned' && this.isAgencyRep(user, group);
  },
};
