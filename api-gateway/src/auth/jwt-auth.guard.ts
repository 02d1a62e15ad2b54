import { ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request, Response } from 'express';
import { PROBE_PATHS } from '../shared/observability/probes';
import { AUTH_SETTINGS, AuthSettings } from './auth.settings';
import { IS_PUBLIC } from './public.decorator';

/**
 * Global: with AUTH_ENABLED every route needs a valid bearer token, except @Public() ones and the
 * probes (/health/*, /metrics: the orchestrator and Prometheus hold no token). Off: all pass and
 * no user is set, so the seed's token-less demo works unchanged.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
  ) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    if (!this.settings.enabled || context.getType() !== 'http') return true;
    if (PROBE_PATHS.includes(context.switchToHttp().getRequest<Request>().path)) return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    return super.canActivate(context);
  }

  /** One 401 for every failure (no token, bad signature, expired, wrong algorithm), with a hint. */
  override handleRequest<TUser>(err: unknown, user: TUser | false, info: unknown, context: ExecutionContext): TUser {
    if (err || !user) {
      const expired = (info as { name?: unknown } | undefined)?.name === 'TokenExpiredError';
      context.switchToHttp().getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer');
      throw new UnauthorizedException(expired ? 'token expired: log in again' : 'missing or invalid bearer token');
    }
    return user;
  }
}
