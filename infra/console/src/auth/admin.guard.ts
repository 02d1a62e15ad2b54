import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import type { Request } from 'express';
import { CONSOLE_CONFIG, ConsoleConfig } from '../config/console-config';
import { checkAdminToken, tokenOf } from './admin-token';
import { IS_PUBLIC } from './public.decorator';

/** Who acts, as redrive logs and headers record it. */
export const ANONYMOUS = 'anonymous (AUTH_ENABLED=false)';

export type ConsoleRequest = Request & { actor?: string; id?: string };

/** With AUTH_ENABLED every route but the public ones needs an admin's token; without, everyone is "anonymous". */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
    private readonly jwt: JwtService,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<ConsoleRequest>();
    if (!this.config.authEnabled) {
      req.actor = ANONYMOUS;
      return true;
    }
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const check = checkAdminToken(this.jwt, this.config.jwtSecret, tokenOf(req.headers));
    if (!check.ok) throw check.status === 401 ? new UnauthorizedException(check.message) : new ForbiddenException(check.message);
    req.actor = `admin ${check.adminId}`;
    return true;
  }
}
