import type { INestApplicationContext } from '@nestjs/common';
import { AuthGuard } from './auth.guard.js';

/**
 * For plain express mounts outside Nest's router (Bull Board): resolves whether an
 * `Authorization` header belongs to an active admin, with the same checks as the guard.
 */
export function adminRequestVerifier(app: INestApplicationContext): (authorization: string | undefined) => Promise<boolean> {
  const guard = app.get(AuthGuard);
  return async (authorization) => {
    try {
      const user = await guard.authenticate(authorization);
      return user.roles.some((r) => r.role === 'admin');
    } catch {
      return false;
    }
  };
}
