import { ExecutionContext, ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthUser } from './auth-user';
import { AuthSettings } from './auth.settings';
import { JwtAuthGuard } from './jwt-auth.guard';
import { NeedsSession, Public } from './public.decorator';
import { Roles } from './roles.decorator';
import { RolesGuard } from './roles.guard';
import type { SessionCheck } from './session-check';
import { TEST_JWT_SECRET, token } from '../../test/support/tokens';

const ON: AuthSettings = { enabled: true, jwtSecret: TEST_JWT_SECRET, expiresInSeconds: 3600, sessionCheckTtlMs: 4000 };
const OFF: AuthSettings = { ...ON, enabled: false };

class Routes {
  open(): void {}
  @Public() publicOne(): void {}
  @NeedsSession() mine(): void {}
  @Roles('admin') adminOnly(): void {}
}
@Roles('admin')
class AdminRoutes {
  anything(): void {}
}

function contextFor(cls: new () => object, handler: string, req: Record<string, unknown> = {}): ExecutionContext & { headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  const res = { header: (k: string, v: string) => (headers[k] = v) };
  return {
    headers,
    getType: () => 'http',
    getClass: () => cls,
    getHandler: () => (cls.prototype as Record<string, unknown>)[handler],
    // The test's own object, so it sees what the guard leaves on it (the user).
    switchToHttp: () => ({ getRequest: () => Object.assign(req, { url: req.url ?? '/api/x', headers: req.headers ?? {}, raw: { headers: req.headers ?? {} } }), getResponse: () => res }),
  } as unknown as ExecutionContext & { headers: Record<string, string> };
}

const alice: AuthUser = { id: '1a1a1a1a-1111-4111-8111-111111111111', roles: ['user'], sessionId: '6f6f6f6f-6666-4666-8666-666666666666' };
/** As node hands headers over: lower-cased names. */
const authorizationOf = (t: string) => ({ authorization: `Bearer ${t}` });
const aliceClaims = { sub: alice.id, roles: ['user'], sid: alice.sessionId };
const root: AuthUser = { id: '3c3c3c3c-3333-4333-8333-333333333333', roles: ['admin'], sessionId: '7a7a7a7a-7777-4777-8777-777777777777' };
/** Session checks are SessionCheck's (tested through the gateway in auth-enabled.spec.ts); here every session is live. */
const liveSessions = { verify: async (user: AuthUser) => user } as unknown as SessionCheck;

describe('JwtAuthGuard', () => {
  const reflector = new Reflector();

  it('lets everything through when AUTH_ENABLED is off (the seed demo needs no token)', async () => {
    expect(await new JwtAuthGuard(reflector, OFF, liveSessions).canActivate(contextFor(Routes, 'open'))).toBe(true);
  });

  it('lets @Public() routes and the probes through when on', async () => {
    const sut = new JwtAuthGuard(reflector, ON, liveSessions);
    expect(await sut.canActivate(contextFor(Routes, 'publicOne'))).toBe(true);
    for (const path of ['/health/live', '/health/ready', '/metrics']) expect(await sut.canActivate(contextFor(Routes, 'open', { url: path }))).toBe(true);
  });

  it('turns any failure into one 401 with WWW-Authenticate: Bearer', async () => {
    const sut = new JwtAuthGuard(reflector, ON, liveSessions);
    for (const authorization of [undefined, 'Bearer', 'Basic abc', `Bearer ${token(aliceClaims, { secret: 'another' })}`]) {
      const ctx = contextFor(Routes, 'open', { headers: authorization === undefined ? {} : { authorization } });

      await expect(sut.canActivate(ctx)).rejects.toThrow(new UnauthorizedException('missing or invalid bearer token'));
      expect(ctx.headers['WWW-Authenticate']).toBe('Bearer');
    }
  });

  it('says when a token has expired', async () => {
    const sut = new JwtAuthGuard(reflector, ON, liveSessions);
    const ctx = contextFor(Routes, 'open', { headers: authorizationOf(token(aliceClaims, { expiresIn: -5 })) });

    await expect(sut.canActivate(ctx)).rejects.toThrow(new UnauthorizedException('token expired: log in again'));
  });

  it('hands over the user of a valid token, as its session says it is now', async () => {
    const req: Record<string, unknown> = { headers: authorizationOf(token(aliceClaims)) };
    const promoted = { verify: async (user: AuthUser) => ({ ...user, roles: ['admin'] }) } as unknown as SessionCheck;

    expect(await new JwtAuthGuard(reflector, ON, promoted).canActivate(contextFor(Routes, 'open', req))).toBe(true);
    expect(req.user).toEqual({ ...alice, roles: ['admin'] });
  });

  it('asks for the session of routes about it even when AUTH_ENABLED is off', async () => {
    const sut = new JwtAuthGuard(reflector, OFF, liveSessions);

    await expect(sut.canActivate(contextFor(Routes, 'mine'))).rejects.toThrow(UnauthorizedException);
    expect(await sut.canActivate(contextFor(Routes, 'mine', { headers: authorizationOf(token(aliceClaims)) }))).toBe(true);
  });
});

describe('RolesGuard', () => {
  const reflector = new Reflector();
  const sut = new RolesGuard(reflector, ON);

  it('lets any authenticated user use a route without @Roles', () => {
    expect(sut.canActivate(contextFor(Routes, 'open', { user: alice }))).toBe(true);
  });

  it('needs one of the roles on a @Roles route, from the method or the class', () => {
    expect(sut.canActivate(contextFor(Routes, 'adminOnly', { user: root }))).toBe(true);
    expect(sut.canActivate(contextFor(AdminRoutes, 'anything', { user: root }))).toBe(true);
    expect(() => sut.canActivate(contextFor(Routes, 'adminOnly', { user: alice }))).toThrow(new ForbiddenException('needs the role admin'));
    expect(() => sut.canActivate(contextFor(AdminRoutes, 'anything', { user: alice }))).toThrow(ForbiddenException);
    expect(() => sut.canActivate(contextFor(Routes, 'adminOnly'))).toThrow(ForbiddenException);
  });

  it('checks nothing when AUTH_ENABLED is off', () => {
    expect(new RolesGuard(reflector, OFF).canActivate(contextFor(Routes, 'adminOnly'))).toBe(true);
  });
});
