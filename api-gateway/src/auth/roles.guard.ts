import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Role } from '../shared/events/contracts';
import { AUTH_SETTINGS, AuthSettings } from './auth.settings';
import { currentUserOf } from './current-user.decorator';
import { REQUIRED_ROLES } from './roles.decorator';

/** Global, after JwtAuthGuard: a route marked @Roles(...) needs one of them (403 otherwise). Off with auth. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.settings.enabled) return true;
    const required = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, [context.getHandler(), context.getClass()]);
    if (!required || required.length === 0) return true;
    const user = currentUserOf(context);
    if (user && required.some((role) => user.roles.includes(role))) return true;
    throw new ForbiddenException(`needs the role ${required.join(' or ')}`);
  }
}
