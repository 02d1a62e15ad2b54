import { TEST_JWT_SECRET, token } from '../../test/support/tokens';
import { MAX_VERIFIED_TOKENS, TokenRefused, TokenVerifier, userOf } from './token-verifier';

describe('TokenVerifier', () => {
  const sut = new TokenVerifier(TEST_JWT_SECRET);
  const SID = '6F6F6F6F-6666-4666-8666-666666666666';
  const ALICE = '1A1A1A1A-1111-4111-8111-111111111111';
  const claims = { sub: ALICE, roles: ['user'], sid: SID };
  const refusal = (t: string): TokenRefused => {
    try {
      sut.verify(t);
    } catch (e) {
      if (e instanceof TokenRefused) return e;
      throw e;
    }
    throw new Error('the token was accepted');
  };

  it('accepts a token this gateway signed and names its user (ids lower-cased)', () => {
    expect(sut.verify(token(claims))).toEqual({ id: ALICE.toLowerCase(), roles: ['user'], sessionId: SID.toLowerCase() });
  });

  it.each([
    ['another secret', token(claims, { secret: 'not-the-gateway-secret-0123456789abcdef' })],
    ['alg none', token(claims, { alg: 'none' })],
    ['HS512', token(claims, { alg: 'HS512' })],
    ['another issuer', token(claims, { iss: 'someone-else' })],
    ['another audience', token(claims, { aud: 'another-api' })],
    ['no expiry', token({ ...claims, exp: undefined })],
    ['a nbf in the future', token({ ...claims, nbf: Math.floor(Date.now() / 1000) + 60 })],
    ['a changed claim', (() => {
      const [h, , s] = token(claims).split('.');
      return `${h}.${Buffer.from(JSON.stringify({ ...claims, roles: ['admin'] })).toString('base64url')}.${s}`;
    })()],
    ['two parts', token(claims).split('.').slice(0, 2).join('.')],
    ['four parts', `${token(claims)}.x`],
    ['garbage', 'not-a-token'],
  ])('refuses a token with %s', (_case, t) => {
    expect(refusal(t).expired).toBe(false);
  });

  it('refuses an expired token, saying so', () => {
    expect(refusal(token(claims, { expiresIn: -1 })).expired).toBe(true);
  });

  it('counts expiry against the clock it is given', () => {
    const t = token(claims, { expiresIn: 60 });
    expect(() => sut.verify(t, Date.now() + 59_000)).not.toThrow();
    expect(() => sut.verify(t, Date.now() + 61_000)).toThrow(TokenRefused);
  });

  describe('a token verified once', () => {
    // A verification builds a new user; a remembered token answers with the one it built first.
    it('is not verified again: the same user, unchangeable', () => {
      const verifier = new TokenVerifier(TEST_JWT_SECRET);
      const t = token(claims);
      const first = verifier.verify(t);

      expect(verifier.verify(t)).toBe(first);
      expect(Object.isFrozen(first) && Object.isFrozen(first.roles)).toBe(true);
      // A token that differs in one character is another token: verified, and refused.
      const [head, body, signature] = t.split('.');
      const forged = `${head}.${body}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
      expect(() => verifier.verify(forged)).toThrow('bad signature');
    });

    it('still expires, and is still refused before its nbf', () => {
      const verifier = new TokenVerifier(TEST_JWT_SECRET);
      const now = Date.now();
      const t = token({ ...claims, nbf: Math.floor(now / 1000) - 10 }, { expiresIn: 60 });
      verifier.verify(t, now);

      expect(() => verifier.verify(t, now + 61_000)).toThrow(expect.objectContaining({ expired: true }));
      expect(() => verifier.verify(t, now - 20_000)).toThrow('not active yet');
    });

    it(`is remembered among the last ${MAX_VERIFIED_TOKENS} only`, () => {
      const verifier = new TokenVerifier(TEST_JWT_SECRET);
      const tokens = Array.from({ length: MAX_VERIFIED_TOKENS + 1 }, (_, i) => token({ ...claims, n: i }));
      const users = tokens.map((t) => verifier.verify(t));

      expect(verifier.verify(tokens[MAX_VERIFIED_TOKENS])).toBe(users[MAX_VERIFIED_TOKENS]);
      expect(verifier.verify(tokens[1])).toBe(users[1]);
      const again = verifier.verify(tokens[0]);
      expect(again).toEqual(users[0]);
      expect(again).not.toBe(users[0]);
    });
  });

  it('reads the token of an Authorization: Bearer header only', () => {
    expect(TokenVerifier.bearerOf('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(TokenVerifier.bearerOf('bearer  abc')).toBe('abc');
    for (const h of [undefined, '', 'Bearer', 'Basic abc', 'abc', 'Bearer a b']) expect(TokenVerifier.bearerOf(h)).toBeUndefined();
  });
});

describe('userOf', () => {
  const SID = '6f6f6f6f-6666-4666-8666-666666666666';
  const ALICE = '1a1a1a1a-1111-4111-8111-111111111111';

  it('keeps every known role', () => {
    expect(userOf({ sub: ALICE, roles: ['admin', 'user'], sid: SID })).toMatchObject({ roles: ['admin', 'user'] });
  });

  it.each([
    ['no sub', { roles: ['user'], sid: SID }],
    ['no session (sid)', { sub: ALICE, roles: ['user'] }],
    ['a sid that is not a uuid', { sub: ALICE, roles: ['user'], sid: 'x' }],
    ['a sub that is not a uuid', { sub: 'admin', roles: ['admin'], sid: SID }],
    ['no roles', { sub: ALICE, sid: SID }],
    ['roles that are not a list', { sub: ALICE, roles: 'admin', sid: SID }],
    ['an unknown role', { sub: ALICE, roles: ['superuser'], sid: SID }],
  ])('refuses claims with %s', (_case, c) => {
    expect(userOf(c)).toBe(false);
  });
});
