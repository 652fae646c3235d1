import type { AuthUser } from '../../common/request-context.js';

/** What the policy needs to know of an action and its case. */
export interface ActionSubject {
  groupId: string;
  agencyId: string;
  /** The case's restriction: when non-empty, only these people may open it or its actions. */
  restrictedTo: string[] | null;
}

const hasRole = (user: AuthUser, groupId: string, ...roles: string[]) => user.roles.some((r) => r.groupId === groupId && roles.includes(r.role));

/**
 * Need to know for actions (DOMAIN.md): the group's coordinators and chairs see every action of
 * the group's cases; an agency representative sees, and answers for, the actions of their own
 * agency only (the action-owner rule). A restricted case's actions are open only to the people
 * named on it. Everyone else is told the action does not exist (404).
 */
export const ActionPolicy = {
  canSee(user: AuthUser, a: ActionSubject): boolean {
    if (a.restrictedTo && a.restrictedTo.length > 0 && !a.restrictedTo.includes(user.id)) return false;
    return this.isStaff(user, a) || this.isOwner(user, a);
  },
  /** A representative of the owning agency in the action's group: acknowledges, completes, declines. */
  isOwner(user: AuthUser, a: ActionSubject): boolean {
    return user.agencyId !== null && user.agencyId === a.agencyId && hasRole(user, a.groupId, 'agency_rep');
  },
  /** The group's coordinator or chair: reassigns, edits, cancels. */
  isStaff(user: AuthUser, a: Pick<ActionSubject, 'groupId'>): boolean {
    return hasRole(user, a.groupId, 'coordinator', 'chair');
  },
  canRespond(user: AuthUser, a: ActionSubject): boolean {
    return this.canSee(user, a) && this.isOwner(user, a);
  },
  canManage(user: AuthUser, a: ActionSubject): boolean {
    return this.canSee(user, a) && this.isStaff(user, a);
  },
};
