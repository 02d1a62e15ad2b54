import { ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request, Response } from 'express';
import { PROBE_PATHS } from '../shared/observability/probes';
import { AUTH_SETTINGS, AuthSettings } from './auth.settings';
import { requestIdOf } from '../shared/http/request-id';
import type { AuthUser } from './auth-user';
import { IS_PUBLIC, NEEDS_SESSION } from './public.decorator';
import { SessionCheck } from './session-check';

/**
 * Global: with AUTH_ENABLED every route needs a valid bearer token of a live session, except
 * @Public() ones and the probes (/health/*, /metrics: the orchestrator and Prometheus hold no
 * token). Off: all pass and no user is set, so the seed's token-less demo works unchanged; only
 * the routes about the caller's own session (@NeedsSession()) still need one.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    private readonly sessions: SessionCheck,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request & { user?: AuthUser }>();
    const marks = [context.getHandler(), context.getClass()];
    const needsSession = this.reflector.getAllAndOverride<boolean>(NEEDS_SESSION, marks) ?? false;
    if (!needsSession) {
      if (!this.settings.enabled || PROBE_PATHS.includes(req.path)) return true;
      if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, marks)) return true;
    }
    await super.canActivate(context);
    // A valid signature is not enough: the session must still be live (checked every few seconds).
    req.user = await this.sessions.verify(req.user as AuthUser, requestIdOf(req));
    return true;
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
