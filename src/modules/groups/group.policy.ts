import type { AuthUser } from '../../common/request-context.js';

/** Who may see and configure a group. Pure functions of the user's grants and the group. */
export const GroupPolicy = {
  isAdmin(user: AuthUser): boolean {
    return user.roles.some((r) => r.role === 'admin');
  },
  hasRoleIn(user: AuthUser, groupId: string, ...roles: string[]): boolean {
    return user.roles.some((r) => r.groupId === groupId && (roles.length === 0 || roles.includes(r.role)));
  },
  /** Admins see every group; others see the groups they hold a role in or their agency belongs to. */
  canSee(user: AuthUser, group: { id: string; agencyIds: string[] }): boolean {
    return this.isAdmin(user) || this.hasRoleIn(user, group.id) || (user.agencyId !== null && group.agencyIds.includes(user.agencyId));
  },
  canConfigure(user: AuthUser, groupId: string): boolean {
    return this.isAdmin(user) || this.hasRoleIn(user, groupId, 'coordinator');
  },
};
