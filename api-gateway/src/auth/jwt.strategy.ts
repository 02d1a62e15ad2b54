import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { ROLES, type Role } from '../shared/events/contracts';
import { AuthUser, TOKEN_ALGORITHM, TOKEN_AUDIENCE, TOKEN_ISSUER } from './auth-user';
import { AUTH_SETTINGS, AuthSettings } from './auth.settings';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Bearer tokens: HS256 only, signed with JWT_SECRET, not expired, issued by this gateway for
 * this API. passport-jwt checks signature, algorithm, expiry, issuer and audience; `validate`
 * then checks the claims' shape, so a token with a strange `sub` or role never becomes a user.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(@Inject(AUTH_SETTINGS) settings: AuthSettings) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: settings.jwtSecret,
      algorithms: [TOKEN_ALGORITHM],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      ignoreExpiration: false,
    });
  }

  validate(payload: { sub?: unknown; roles?: unknown; sid?: unknown }): AuthUser | false {
    const { sub, roles, sid } = payload;
    if (typeof sub !== 'string' || !UUID.test(sub)) return false;
    if (typeof sid !== 'string' || !UUID.test(sid)) return false;
    if (!Array.isArray(roles) || !roles.every((r) => (ROLES as readonly unknown[]).includes(r))) return false;
    return { id: sub.toLowerCase(), roles: roles as Role[], sessionId: sid.toLowerCase() };
  }
}
