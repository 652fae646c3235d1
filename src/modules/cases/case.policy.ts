import type { AuthUser } from '../../common/request-context.js';

export interface CaseSubject {
  groupId: string;
  status?: 'open' | 'closed';
  advocateAgencyId?: string | null;
  advocateUserId: string | null;
  restrictedTo: string[] | null;
  authorIds: string[];
  /** The case is on a published agenda of the group and the user's agency is a member (looked up only when mayBeAgencyRepOf). */
  onPublishedAgenda?: boolean;
}

const hasRole = (user: AuthUser, groupId: string, ...roles: string[]) => user.roles.some((r) => r.groupId === groupId && roles.includes(r.role));

/**
 * Need to know (DOMAIN.md): the group's coordinators and chairs see its cases; the referrer sees
 * the case of their referral; the case's advocate sees it. A restricted case is open only to
 * the people named on it. A member agency's representative sees an open case from the moment
 * it is on a published agenda of the group (`onPublishedAgenda`) until it closes.
 */
export const CasePolicy = {
  canSee(user: AuthUser, c: CaseSubject): boolean {
    if (c.restrictedTo && c.restrictedTo.length > 0) return c.restrictedTo.includes(user.id);
    const staff = hasRole(user, c.groupId, 'coordinator', 'chair');
    if (staff || c.advocateUserId === user.id || c.authorIds.includes(user.id)) return true;
    return c.onPublishedAgenda === true && this.mayBeAgencyRepOf(user, c);
  },
  /** An agency representative in the case's group, of an open case: the published-agenda rule may apply. */
  mayBeAgencyRepOf(user: AuthUser, c: CaseSubject): boolean {
    return c.status === 'open' && user.agencyId !== null && hasRole(user, c.groupId, 'agency_rep');
  },
  /** The group's coordinator: names the advocate, restricts the case. */
  canManage(user: AuthUser, c: CaseSubject): boolean {
    return hasRole(user, c.groupId, 'coordinator');
  },
  /** The group's coordinator or chair closes a case. */
  canClose(user: AuthUser, c: CaseSubject): boolean {
    return hasRole(user, c.groupId, 'coordinator', 'chair');
  },
  /**
   * The case's advocate: the named advocate user, or (no user named) a representative or
   * referrer of the advocate agency in the case's group. Within a restriction, only if named on it.
   */
  isAdvocate(user: AuthUser, c: CaseSubject): boolean {
    if (c.restrictedTo && c.restrictedTo.length > 0 && !c.restrictedTo.includes(user.id)) return false;
    if (!c.advocateAgencyId) return false;
    if (c.advocateUserId) return c.advocateUserId === user.id;
    return user.agencyId === c.advocateAgencyId && hasRole(user, c.groupId, 'agency_rep', 'referrer');
  },
};
