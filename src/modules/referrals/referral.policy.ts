import type { AuthUser } from '../../common/request-context.js';
import { GroupPolicy } from '../groups/group.policy.js';

export interface ReferralSubject {
  groupId: string;
  authorId: string;
  status: string;
}

/** Who may see and act on a referral: pure functions of the user's grants and the referral. */
export const ReferralPolicy = {
  isStaff(user: AuthUser, groupId: string, ...roles: string[]): boolean {
    return GroupPolicy.hasRoleIn(user, groupId, ...(roles.length ? roles : ['coordinator', 'chair']));
  },
  /**
   * The referrer sees their own referral; the group's coordinators and chairs see the group's
   * once submitted (a draft is the referrer's work, and may still lack the victim's consent).
   */
  canSee(user: AuthUser, r: ReferralSubject): boolean {
    return r.authorId === user.id || (r.status !== 'draft' && this.isStaff(user, r.groupId));
  },
  /** Whether the victim is known in another group is for the group's coordinators only. */
  canSeeCrossGroupFlag(user: AuthUser, r: ReferralSubject): boolean {
    return this.isStaff(user, r.groupId, 'coordinator');
  },
  canEdit(user: AuthUser, r: ReferralSubject): boolean {
    return r.authorId === user.id;
  },
  canTriage(user: AuthUser, r: ReferralSubject): boolean {
    return this.isStaff(user, r.groupId, 'coordinator');
  },
  canWithdraw(user: AuthUser, r: ReferralSubject): boolean {
    return r.authorId === user.id || this.isStaff(user, r.groupId, 'coordinator');
  },
};
