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
