import { covers, EVERYONE, scopeOf } from './scope';

const ANN = '3f0c1a52-6f1e-4c47-9d0a-2b3c4d5e6f70';
const BOB = 'a1b2c3d4-0000-4000-8000-000000000001';

describe('scopeOf: whose data a caller sees', () => {
  it('everyone\'s for no user (auth off, or a tool with the key) and for an admin', () => {
    expect(scopeOf(undefined)).toBe(EVERYONE);
    expect(scopeOf({ roles: [] })).toBe(EVERYONE);
    expect(scopeOf({ userId: ANN, roles: ['admin'] })).toBe(EVERYONE);
  });

  it("a user's own only, whatever else they ask for", () => {
    const scope = scopeOf({ userId: ANN, roles: ['user'] });
    expect(scope).toEqual({ everyone: false, userId: ANN });
    expect(covers(scope, ANN)).toBe(true);
    expect(covers(scope, BOB)).toBe(false);
    expect(covers(EVERYONE, BOB)).toBe(true);
  });
});
