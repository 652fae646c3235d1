import type { AuthUser } from '../../common/request-context.js';

export interface CaseSubject {
  groupId: string;
  advocateUserId: string | null;
  restrictedTo: string[] | null;
  authorIds: string[];
}

/**
 * Need to know (DOMAIN.md): the group's coordinators and chairs see its cases; the referrer sees
 * the case of their referral; the case's advocate sees it. A restricted case is open only to
 * the people named on it. Agency representatives see a case from its published agenda on —
 * that rule arrives with the conferences' publication (issue 6).
 */
export const CasePolicy = {
  canSee(user: AuthUser, c: CaseSubject): boolean {
    if (c.restrictedTo && c.restrictedTo.length > 0) return c.restrictedTo.includes(user.id);
    const staff = user.roles.some((r) => r.groupId === c.groupId && (r.role === 'coordinator' || r.role === 'chair'));
    return staff || c.advocateUserId === user.id || c.authorIds.includes(user.id);
  },
};
