import { DUMMY_PASSWORD_HASH } from './dummy-hash';
import { PasswordHasher } from './password-hasher';

/** `$argon2id$v=19$m=19456,t=2,p=1$...` -> { m, t, p } whatever order the library writes them in. */
const paramsOf = (hash: string) => Object.fromEntries(hash.split('$')[3].split(',').map((kv) => kv.split('=')));

describe('DUMMY_PASSWORD_HASH', () => {
  const hasher = new PasswordHasher();

  it('costs what a real hash costs: same algorithm, version and parameters as PasswordHasher', async () => {
    const real = await hasher.hash('SecurePass123!');
    expect(DUMMY_PASSWORD_HASH.split('$').slice(0, 3)).toEqual(real.split('$').slice(0, 3));
    expect(paramsOf(DUMMY_PASSWORD_HASH)).toEqual(paramsOf(real));
  });

  it('matches no password anyone would try', async () => {
    for (const guess of ['', 'SecurePass123!', 'password', 'admin']) {
      expect(await hasher.verify(DUMMY_PASSWORD_HASH, guess)).toBe(false);
    }
  });
});
