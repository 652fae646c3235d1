import { AsyncLocalStorage } from 'node:async_hooks';

export type RoleName = 'admin' | 'coordinator' | 'chair' | 'agency_rep' | 'referrer' | 'analyst';

export interface RoleGrant {
  role: RoleName;
  /** null for `admin`, which is deployment-wide. */
  groupId: string | null;
}

/** The authenticated caller, as the guard established it from a verified access token. */
export interface AuthUser {
  id: string;
  email: string;
  agencyId: string | null;
  roles: RoleGrant[];
  sessionId: string;
}

/** The groups in which the user holds any of `roles`: each once, and never the deployment-wide null. */
export function groupsWithRole(user: AuthUser, ...roles: RoleName[]): string[] {
  const groups = new Set<string>();
  for (const r of user.roles) if (r.groupId !== null && roles.includes(r.role)) groups.add(r.groupId);
  return [...groups];
}

/** Who is acting and on which request: read by the audit log and by policies. */
export interface RequestContext {
  requestId: string;
  user?: AuthUser;
  ip?: string;
  /** Why case data is being read (the `X-Purpose` header or a route's default). */
  purpose?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export const requestContext = {
  run<T>(ctx: RequestContext, fn: () => T): T {
    return storage.run(ctx, fn);
  },
  get(): RequestContext | undefined {
    return storage.getStore();
  },
};
