import { PasswordHasher } from './password-hasher';

describe('PasswordHasher', () => {
  const sut = new PasswordHasher();

  it('stores an argon2id hash, never the password, and verifies it', async () => {
    const hash = await sut.hash('SecurePass123!');
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(hash).not.toContain('SecurePass123!');
    expect(await sut.verify(hash, 'SecurePass123!')).toBe(true);
    expect(await sut.verify(hash, 'SecurePass123?')).toBe(false);
  });

  it('salts: the same password hashes differently twice', async () => {
    expect(await sut.hash('SecurePass123!')).not.toEqual(await sut.hash('SecurePass123!'));
  });

  it('treats a malformed stored hash as a mismatch, not a crash', async () => {
    expect(await sut.verify('not-a-hash', 'whatever')).toBe(false);
  });
});
