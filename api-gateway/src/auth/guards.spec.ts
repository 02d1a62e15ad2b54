import { ExecutionContext, ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthUser } from './auth-user';
import { AuthSettings } from './auth.settings';
import { JwtAuthGuard } from './jwt-auth.guard';
import { Public } from './public.decorator';
import { Roles } from './roles.decorator';
import { RolesGuard } from './roles.guard';
import type { SessionCheck } from './session-check';

const ON: AuthSettings = { enabled: true, jwtSecret: 's', expiresInSeconds: 3600, sessionCheckTtlMs: 4000 };
const OFF: AuthSettings = { ...ON, enabled: false };

class Routes {
  open(): void {}
  @Public() publicOne(): void {}
  @Roles('admin') adminOnly(): void {}
}
@Roles('admin')
class AdminRoutes {
  anything(): void {}
}

function contextFor(cls: new () => object, handler: string, req: Record<string, unknown> = {}): ExecutionContext & { headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  const res = { setHeader: (k: string, v: string) => (headers[k] = v) };
  return {
    headers,
    getType: () => 'http',
    getClass: () => cls,
    getHandler: () => (cls.prototype as Record<string, unknown>)[handler],
    switchToHttp: () => ({ getRequest: () => ({ path: '/api/x', headers: {}, ...req }), getResponse: () => res }),
  } as unknown as ExecutionContext & { headers: Record<string, string> };
}

const alice: AuthUser = { id: '1a1a1a1a-1111-4111-8111-111111111111', roles: ['user'], sessionId: '6f6f6f6f-6666-4666-8666-666666666666' };
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
    for (const path of ['/health/live', '/health/ready', '/metrics']) expect(await sut.canActivate(contextFor(Routes, 'open', { path }))).toBe(true);
  });

  it('turns any failure into one 401 with WWW-Authenticate: Bearer', () => {
    const sut = new JwtAuthGuard(reflector, ON, liveSessions);
    const ctx = contextFor(Routes, 'open');

    expect(() => sut.handleRequest(null, false, new Error('No auth token'), ctx)).toThrow(new UnauthorizedException('missing or invalid bearer token'));
    expect(ctx.headers['WWW-Authenticate']).toBe('Bearer');
    expect(() => sut.handleRequest(new Error('boom'), alice, undefined, ctx)).toThrow(UnauthorizedException);
  });

  it('says when a token has expired', () => {
    const sut = new JwtAuthGuard(reflector, ON, liveSessions);
    const expired = Object.assign(new Error('jwt expired'), { name: 'TokenExpiredError' });

    expect(() => sut.handleRequest(null, false, expired, contextFor(Routes, 'open'))).toThrow('token expired: log in again');
  });

  it('hands over the user of a valid token', () => {
    expect(new JwtAuthGuard(reflector, ON, liveSessions).handleRequest(null, alice, undefined, contextFor(Routes, 'open'))).toBe(alice);
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
