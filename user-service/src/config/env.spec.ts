import { validateEnv } from './env';

describe('user-service environment', () => {
  it('needs no admin settings', () => {
    expect(validateEnv({})).toMatchObject({ PORT: 3001, ADMIN_EMAIL: undefined });
  });

  it('takes ADMIN_EMAIL with a strong ADMIN_PASSWORD', () => {
    expect(validateEnv({ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'SecurePass123!' })).toMatchObject({ ADMIN_EMAIL: 'root@example.com' });
  });

  it.each([
    [{ ADMIN_EMAIL: 'root@example.com' }, /ADMIN_PASSWORD=\(hidden\):.*ADMIN_PASSWORD is required with ADMIN_EMAIL/],
    [{ ADMIN_PASSWORD: 'SecurePass123!' }, /ADMIN_EMAIL=undefined:.*ADMIN_EMAIL must be an email address/],
    [{ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'weakpassword' }, /ADMIN_PASSWORD=\(hidden\):.*ADMIN_PASSWORD must have at least 8 characters/],
  ])('refuses %p, naming the variable', (env, message) => {
    expect(() => validateEnv(env)).toThrow(message);
  });

  it('never prints the admin password', () => {
    expect(() => validateEnv({ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'weakpassword' })).not.toThrow(/weakpassword/);
  });
});
