import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthUser } from '../request-context.js';

/** The authenticated user the global guard put on the request. */
export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthUser => {
  const user = ctx.switchToHttp().getRequest<{ user?: AuthUser }>().user;
  if (!user) throw new Error('CurrentUser used on a route without authentication');
  return user;
});
