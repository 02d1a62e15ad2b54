import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { IsSecurePassword } from './password';

class Body {
  @IsSecurePassword() password!: unknown;
}

const messages = (password: unknown) =>
  validateSync(plainToInstance(Body, { password })).flatMap((e) => Object.values(e.constraints ?? {}));

describe('@IsSecurePassword', () => {
  it.each(['SecurePass123!', 'An0ther!Pass', 'Aa1!aaaa', 'Pass word 9'])('accepts %p', (password) => {
    expect(messages(password)).toEqual([]);
  });

  it.each([
    ['too short', 'Aa1!aaa'],
    ['no upper-case letter', 'securepass123!'],
    ['no lower-case letter', 'SECUREPASS123!'],
    ['no digit', 'SecurePass!!!'],
    ['no symbol', 'SecurePass123'],
    ['not a string', 12345678],
  ])('refuses a password with %s, saying what is needed', (_case, password) => {
    expect(messages(password)).toEqual([
      'password must have at least 8 characters with an upper-case letter, a lower-case letter, a digit and a symbol',
    ]);
  });
});
