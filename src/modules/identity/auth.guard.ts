import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { PERMISSIONS, REQUIRED_PERMISSION, type Permission } from '../../common/auth/permissions.js';
import { IS_PUBLIC } from '../../common/auth/public.decorator.js';
import { Problem } from '../../common/problems/problem.js';
import { requestContext, type AuthUser } from '../../common/request-context.js';
import { AuthService } from './auth.service.js';
import { TokenService } from './token.service.js';
import { UsersService } from './users.service.js';

const unauthenticated = (detail: string) => new Problem(401, 'unauthenticated', 'Unauthorized', detail);

/**
 * Default deny: a route passes only when it is `@Public()` or declares a permission the
 * caller's roles grant. The caller is re-read on every request (active, session not ended,
 * current roles), so deactivation and logout take effect at once.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly users: UsersService,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const permission = this.reflector.getAllAndOverride<Permission | undefined>(REQUIRED_PERMISSION, targets);
    if (!permission || !(permission in PERMISSIONS)) {
      throw new Problem(403, 'permission-not-declared', 'Forbidden', 'This route declares no permission and is therefore closed.');
    }
    const req = context.switchToHttp().getRequest<Request & { user?: AuthUser }>();
    const user = await this.authenticate(req.headers.authorization);
    const allowed: readonly string[] = PERMISSIONS[permission];
    if (!user.roles.some((r) => allowed.includes(r.role))) {
      throw new Problem(403, 'forbidden', 'Forbidden', 'Your roles do not allow this.');
    }
    req.user = user;
    const ctx = requestContext.get();
    if (ctx) ctx.user = user;
    if (permission !== 'self' && !(user as AuthUser & { mfa?: boolean }).mfa && this.auth.mfaRequiredFor(user.roles)) {
      throw new Problem(403, 'mfa-required', 'Forbidden', 'Your roles see case data: enrol and use a second factor (TOTP) first.');
    }
    return true;
  }

  /** The user behind a bearer access token, or 401. */
  async authenticate(header: string | undefined): Promise<AuthUser & { mfa: boolean }> {
    const m = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(header ?? '');
    if (!m) throw unauthenticated('Send an access token: Authorization: Bearer <accessToken>.');
    const claims = this.tokens.verifyAccess(m[1]);
    if (!claims) throw unauthenticated('The access token is invalid or expired.');
    const principal = await this.users.principal(claims.sub, claims.sid);
    if (!principal || !principal.active || principal.sessionEnded) throw unauthenticated('The session has ended; log in again.');
    return { id: principal.id, email: principal.email, agencyId: principal.agencyId, roles: principal.roles, sessionId: claims.sid, mfa: claims.mfa };
  }
}
