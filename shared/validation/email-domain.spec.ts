import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { blockedEmailDomains, DEFAULT_BLOCKED_EMAIL_DOMAINS, IsAllowedEmailDomain, isBlockedEmail } from './email-domain';

class Body {
  @IsAllowedEmailDomain() email!: unknown;
}

const failing = (email: unknown) => validateSync(plainToInstance(Body, { email })).map((e) => e.property);

describe('email domain block list', () => {
  const saved = process.env.BLOCKED_EMAIL_DOMAINS;
  afterEach(() => {
    if (saved === undefined) delete process.env.BLOCKED_EMAIL_DOMAINS;
    else process.env.BLOCKED_EMAIL_DOMAINS = saved;
  });

  it('blocks a few disposable-mail domains by default, and their subdomains, in any casing', () => {
    delete process.env.BLOCKED_EMAIL_DOMAINS;
    expect(blockedEmailDomains()).toEqual(new Set(DEFAULT_BLOCKED_EMAIL_DOMAINS));
    expect(failing('someone@mailinator.com')).toEqual(['email']);
    expect(failing('someone@eu.Mailinator.COM')).toEqual(['email']);
    expect(failing('john@example.com')).toEqual([]);
    expect(failing('john@notmailinator.com')).toEqual([]);
  });

  it('takes its list from BLOCKED_EMAIL_DOMAINS when set (comma-separated, replaces the defaults)', () => {
    process.env.BLOCKED_EMAIL_DOMAINS = ' Spam.example , @junk.test';
    expect(failing('a@spam.example')).toEqual(['email']);
    expect(failing('a@junk.test')).toEqual(['email']);
    expect(failing('a@mailinator.com')).toEqual([]);
  });

  it('blocks nothing with BLOCKED_EMAIL_DOMAINS=none (or empty)', () => {
    process.env.BLOCKED_EMAIL_DOMAINS = 'none';
    expect(failing('a@mailinator.com')).toEqual([]);
    expect(isBlockedEmail('a@mailinator.com', blockedEmailDomains(''))).toBe(false);
  });

  it('says why, and leaves non-strings to @IsEmail', () => {
    delete process.env.BLOCKED_EMAIL_DOMAINS;
    const [error] = validateSync(plainToInstance(Body, { email: 'x@yopmail.com' }));
    expect(Object.values(error.constraints ?? {})).toEqual(['email uses an email domain that is not accepted (disposable mail)']);
    expect(failing(42)).toEqual([]);
  });
});
