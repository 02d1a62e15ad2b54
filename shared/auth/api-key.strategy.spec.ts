import { ApiKeyStrategy, forwardedCaller } from './api-key.strategy';

const KEY = 'k3J9x2Qp7LmZ4vB8nR1tY6wE5sA0dF3g';
const USER = '8a6f2c1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b';

describe('ApiKeyStrategy', () => {
  describe('with a key configured', () => {
    const sut = new ApiKeyStrategy(KEY);

    it('refuses a request without the key or with a wrong one', () => {
      expect(sut.enabled).toBe(true);
      expect(sut.authenticate({})).toBeNull();
      expect(sut.authenticate({ 'x-api-key': 'wrong' })).toBeNull();
      expect(sut.authenticate({ 'x-api-key': '' })).toBeNull();
    });

    it('accepts the key and believes the identity the gateway forwarded', () => {
      expect(sut.authenticate({ 'x-api-key': KEY, 'x-user-id': USER, 'x-user-roles': 'admin,user' })).toEqual({
        userId: USER,
        roles: ['admin', 'user'],
      });
      expect(sut.authenticate({ 'x-api-key': KEY })).toEqual({ roles: [] });
    });
  });

  describe('without a key (development)', () => {
    const sut = new ApiKeyStrategy(undefined);

    it('lets everyone in, as the user the gateway names (with AUTH_ENABLED its users stay limited to their own data)', () => {
      expect(sut.enabled).toBe(false);
      expect(sut.authenticate({ 'x-user-id': USER, 'x-user-roles': 'user' })).toEqual({ userId: USER, roles: ['user'] });
      expect(sut.authenticate({})).toEqual({ roles: [] });
    });

    it('treats an empty API_KEY as none', () => {
      expect(new ApiKeyStrategy('').enabled).toBe(false);
    });
  });
});

describe('forwardedCaller', () => {
  it('drops unknown roles and a user id that is not a uuid', () => {
    expect(forwardedCaller({ 'x-user-id': USER, 'x-user-roles': 'root, user ,user' })).toEqual({ userId: USER, roles: ['user'] });
    expect(forwardedCaller({ 'x-user-id': 'admin', 'x-user-roles': 'admin' })).toEqual({ roles: [] });
  });
});
