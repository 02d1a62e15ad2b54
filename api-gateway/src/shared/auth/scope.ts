// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Caller } from './api-key.strategy';
import type { RequestWithCaller } from './api-key.guard';

/**
 * Whose data a request may see and change, decided once from the caller the gateway forwarded:
 * everyone's (no user: auth is off, or a tool holding the key; or an admin), or one user's own.
 * Services apply it where the data is read, in SQL, so lists, pages and totals are right.
 */
export type Scope = { readonly everyone: true } | { readonly everyone: false; readonly userId: string };

export const EVERYONE: Scope = Object.freeze({ everyone: true });

export function scopeOf(caller: Caller | undefined): Scope {
  if (!caller?.userId || caller.roles.includes('admin')) return EVERYONE;
  return { everyone: false, userId: caller.userId };
}

/** True when the scope covers what `ownerId` owns. */
export function covers(scope: Scope, ownerId: string): boolean {
  return scope.everyone || scope.userId === ownerId;
}

/** The request's scope (set on `req.caller` by ApiKeyGuard). */
export const RequestScope = createParamDecorator((_: unknown, ctx: ExecutionContext): Scope =>
  scopeOf(ctx.switchToHttp().getRequest<RequestWithCaller>().caller),
);

/** The session of the request's token, when the gateway forwarded one (to keep it when ending the others). */
export const RequestSessionId = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): string | undefined => ctx.switchToHttp().getRequest<RequestWithCaller>().caller?.sessionId,
);
