import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { AuthUser } from './auth-user';

/** The user of the request's valid token; undefined when AUTH_ENABLED is off (or on a @Public route). */
export function currentUserOf(ctx: ExecutionContext): AuthUser | undefined {
  return ctx.switchToHttp().getRequest<{ user?: AuthUser }>().user;
}

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext) => currentUserOf(ctx));
