import { JwtService } from '@nestjs/jwt';

/** Pinned like the gateway's (api-gateway/src/auth/auth-user.ts): its tokens, nobody else's. */
const TOKEN_ISSUER = 'nest-ms-api-gateway';
const TOKEN_AUDIENCE = 'nest-ms-api';
const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i;

export type TokenCheck = { ok: true; adminId: string } | { ok: false; status: 401 | 403; message: string };

/** A gateway token of an admin: HS256 with JWT_SECRET, unexpired, the gateway's issuer and audience. */
export function checkAdminToken(jwt: JwtService, secret: string, token: string | undefined): TokenCheck {
  if (!token) return { ok: false, status: 401, message: 'an admin token is required (Authorization: Bearer <token from POST /api/auth/login>)' };
  let claims: { sub?: unknown; roles?: unknown };
  try {
    claims = jwt.verify(token, { secret, algorithms: ['HS256'], issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE });
  } catch (error) {
    const expired = (error as Error).name === 'TokenExpiredError';
    return { ok: false, status: 401, message: expired ? 'token expired: log in again' : 'missing or invalid bearer token' };
  }
  if (typeof claims.sub !== 'string' || !UUID.test(claims.sub)) return { ok: false, status: 401, message: 'missing or invalid bearer token' };
  if (!Array.isArray(claims.roles) || !claims.roles.includes('admin')) return { ok: false, status: 403, message: 'the event console is for admins' };
  return { ok: true, adminId: claims.sub.toLowerCase() };
}

export const TOKEN_COOKIE = 'console_token';

/** Bearer header first (API clients), then the cookie the login page sets (browsers). */
export function tokenOf(headers: { authorization?: string; cookie?: string }): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '');
  if (bearer) return bearer[1];
  for (const part of (headers.cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === TOKEN_COOKIE) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}
