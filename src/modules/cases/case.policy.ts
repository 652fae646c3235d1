import type { AuthUser } from '../../common/request-context.js';

export interface CaseSubject {
  groupId: string;
  status?: 'open' | 'closed';
  advocateUserId: string | null;
  restrictedTo: string[] | null;
  authorIds: string[];
  /** The case is on a published agenda of the group and the user's agency is a member (looked up only when mayBeAgencyRepOf). */
  onPublishedAgenda?: boolean;
}

/**
 * Need to know (DOMAIN.md): the group's coordinators and chairs see its cases; the referrer sees
 * the case of their referral; the case's advocate sees it. A restricted case is open only to
 * the people named on it. A member agency's representative sees an open case from the moment
 * it is on a published agenda of the group (`onPublishedAgenda`) until it closes.
 */
export const CasePolicy = {
  canSee(user: AuthUser, c: CaseSubject): boolean {
    if (c.restrictedTo && c.restrictedTo.length > 0) return c.restrictedTo.includes(user.id);
    const staff = user.roles.some((r) => r.groupId === c.groupId && (r.role === 'coordinator' || r.role === 'chair'));
    if (staff || c.advocateUserId === user.id || c.authorIds.includes(user.id)) return true;
    return c.onPublishedAgenda === true && this.mayBeAgencyRepOf(user, c);
  },
  /** An agency representative in the case's group, of an open case: the published-agenda rule may apply. */
  mayBeAgencyRepOf(user: AuthUser, c: CaseSubject): boolean {
    return c.status === 'open' && user.agencyId !== null && user.roles.some((r) => r.groupId === c.groupId && r.role === 'agency_rep');
  },
};
