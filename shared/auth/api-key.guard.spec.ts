import { ExecutionContext, UnauthorizedException } from '@nestjs/common';
import { ApiKeyGuard, RequestWithCaller } from './api-key.guard';
import { ApiKeyStrategy } from './api-key.strategy';

const KEY = 'k3J9x2Qp7LmZ4vB8nR1tY6wE5sA0dF3g';

function httpContext(req: Partial<RequestWithCaller>): ExecutionContext {
  return {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => req }),
  } as unknown as ExecutionContext;
}

describe('ApiKeyGuard', () => {
  const sut = new ApiKeyGuard(new ApiKeyStrategy(KEY));

  it('answers 401 without the right X-API-Key', () => {
    expect(() => sut.canActivate(httpContext({ url: '/users', headers: {} }))).toThrow(UnauthorizedException);
    expect(() => sut.canActivate(httpContext({ url: '/users', headers: { 'x-api-key': 'nope' } }))).toThrow('missing or wrong X-API-Key');
  });

  it('lets the right key in and leaves the caller on the request', () => {
    const req: Partial<RequestWithCaller> = {
      url: '/users',
      headers: { 'x-api-key': KEY, 'x-user-id': '8a6f2c1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b', 'x-user-roles': 'user' },
    };
    expect(sut.canActivate(httpContext(req))).toBe(true);
    expect(req.caller).toEqual({ userId: '8a6f2c1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b', roles: ['user'] });
  });

  it.each(['/health/live', '/health/ready', '/metrics'])('lets the probe %s through without a key', (path) => {
    expect(sut.canActivate(httpContext({ url: path, headers: {} }))).toBe(true);
  });

  it('does not mistake a look-alike path for a probe', () => {
    expect(() => sut.canActivate(httpContext({ url: '/metrics/../users', headers: {} }))).toThrow(UnauthorizedException);
    expect(() => sut.canActivate(httpContext({ url: '/health/ready/x', headers: {} }))).toThrow(UnauthorizedException);
  });

  it('leaves Kafka handlers alone (not HTTP)', () => {
    const rpc = { getType: () => 'rpc' } as unknown as ExecutionContext;
    expect(sut.canActivate(rpc)).toBe(true);
  });

  it('lets everything through when no key is configured', () => {
    const open = new ApiKeyGuard(new ApiKeyStrategy(undefined));
    expect(open.canActivate(httpContext({ url: '/users', headers: {} }))).toBe(true);
  });
});
