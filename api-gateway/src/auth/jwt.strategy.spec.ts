import { JwtStrategy } from './jwt.strategy';

describe('JwtStrategy', () => {
  const sut = new JwtStrategy({ enabled: true, jwtSecret: 'unit-test-jwt-secret-0123456789abcdefghij', expiresInSeconds: 3600, sessionCheckTtlMs: 4000 });
  const SID = '6F6F6F6F-6666-4666-8666-666666666666';
  const ALICE = '1A1A1A1A-1111-4111-8111-111111111111';

  it('pins the algorithm, issuer and audience it accepts', () => {
    // passport-jwt keeps the verification options it was given.
    const options = (sut as unknown as { _verifOpts: Record<string, unknown> })._verifOpts;
    expect(options).toMatchObject({ algorithms: ['HS256'], issuer: 'nest-ms-api-gateway', audience: 'nest-ms-api', ignoreExpiration: false });
  });

  it('turns well-formed claims into the user of a session (ids lower-cased)', () => {
    expect(sut.validate({ sub: ALICE, roles: ['user'], sid: SID })).toEqual({ id: ALICE.toLowerCase(), roles: ['user'], sessionId: SID.toLowerCase() });
    expect(sut.validate({ sub: ALICE, roles: ['admin', 'user'], sid: SID })).toMatchObject({ roles: ['admin', 'user'] });
  });

  it.each([
    ['no sub', { roles: ['user'], sid: '6f6f6f6f-6666-4666-8666-666666666666' }],
    ['no session (sid)', { sub: '1a1a1a1a-1111-4111-8111-111111111111', roles: ['user'] }],
    ['a sid that is not a uuid', { sub: '1a1a1a1a-1111-4111-8111-111111111111', roles: ['user'], sid: 'x' }],
    ['a sub that is not a uuid', { sub: 'admin', roles: ['admin'] }],
    ['no roles', { sub: ALICE }],
    ['roles that are not a list', { sub: ALICE, roles: 'admin' }],
    ['an unknown role', { sub: ALICE, roles: ['superuser'] }],
  ])('refuses a token with %s', (_case, claims) => {
    expect(sut.validate(claims)).toBe(false);
  });
});
