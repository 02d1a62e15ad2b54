import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBE_PATHS } from '../shared/observability/probes';
import { AUTH_SETTINGS, AuthSettings } from './auth.settings';
import { pathOf } from '../shared/http/request-id';
import type { AuthUser } from './auth-user';
import { IS_PUBLIC, NEEDS_SESSION } from './public.decorator';
import { SessionCheck } from './session-check';
import { inboundOf } from '../upstream/inbound';
import { TokenRefused, TokenVerifier } from './token-verifier';

/**
 * Global: with AUTH_ENABLED every route needs a valid bearer token of a live session, except
 * @Public() ones and the probes (/health/*, /metrics: the orchestrator and Prometheus hold no
 * token). Off: all pass and no user is set, so the seed's token-less demo works unchanged; only
 * the routes about the caller's own session (@NeedsSession()) still need one.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  private readonly tokens: TokenVerifier;

  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    private readonly sessions: SessionCheck,
  ) {
    this.tokens = new TokenVerifier(settings.jwtSecret);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<FastifyRequest & { user?: AuthUser }>();
    const marks = [context.getHandler(), context.getClass()];
    const needsSession = this.reflector.getAllAndOverride<boolean>(NEEDS_SESSION, marks) ?? false;
    if (!needsSession) {
      if (!this.settings.enabled || PROBE_PATHS.includes(pathOf(req.url))) return true;
      if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, marks)) return true;
    }
    const user = this.authenticate(req.headers.authorization, context.switchToHttp().getResponse<FastifyReply>());
    // A valid signature is not enough: the session must still be live (checked every few seconds).
    req.user = await this.sessions.verify(user, inboundOf(req.raw));
    return true;
  }

  /** One 401 for every failure (no token, bad signature, expired, wrong algorithm), with a hint. */
  private authenticate(authorization: string | undefined, res: FastifyReply): AuthUser {
    const token = TokenVerifier.bearerOf(authorization);
    try {
      if (token === undefined) throw new TokenRefused('no bearer token');
      return this.tokens.verify(token);
    } catch (e) {
      void res.header('WWW-Authenticate', 'Bearer');
      const expired = e instanceof TokenRefused && e.expired;
      throw new UnauthorizedException(expired ? 'token expired: log in again' : 'missing or invalid bearer token');
    }
  }
}
