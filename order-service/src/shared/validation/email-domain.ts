// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { registerDecorator, ValidationArguments } from 'class-validator';
import { startupSetting } from '../config/startup-settings';

/** Disposable-mail services refused when BLOCKED_EMAIL_DOMAINS is not set. */
export const DEFAULT_BLOCKED_EMAIL_DOMAINS: readonly string[] = [
  'mailinator.com',
  'guerrillamail.com',
  'sharklasers.com',
  '10minutemail.com',
  'tempmail.com',
  'temp-mail.org',
  'yopmail.com',
  'trashmail.com',
  'throwawaymail.com',
  'dispostable.com',
];

let cached: { raw: string | undefined; domains: ReadonlySet<string> } | undefined;

/**
 * The blocked domains: BLOCKED_EMAIL_DOMAINS (comma-separated) when set, `none` (or empty) for
 * none, else the defaults. Read from the environment when first needed and again if it changes.
 */
export function blockedEmailDomains(raw: string | undefined = startupSetting('BLOCKED_EMAIL_DOMAINS')): ReadonlySet<string> {
  if (cached && cached.raw === raw) return cached.domains;
  const list =
    raw === undefined
      ? DEFAULT_BLOCKED_EMAIL_DOMAINS
      : raw.trim().toLowerCase() === 'none'
        ? []
        : raw.split(',').map((d) => d.trim().toLowerCase().replace(/^@/, '')).filter(Boolean);
  cached = { raw, domains: new Set(list) };
  return cached.domains;
}

/** True when the address is at a blocked domain or one of its subdomains (`x.mailinator.com`). */
export function isBlockedEmail(email: string, blocked: ReadonlySet<string> = blockedEmailDomains()): boolean {
  const at = email.lastIndexOf('@');
  if (at < 0) return false;
  const labels = email.slice(at + 1).trim().toLowerCase().replace(/\.$/, '').split('.');
  for (let i = 0; i < labels.length - 1; i++) if (blocked.has(labels.slice(i).join('.'))) return true;
  return false;
}

/** Refuses addresses at a blocked domain (see blockedEmailDomains). Non-strings pass: @IsEmail says so. */
export function IsAllowedEmailDomain(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isAllowedEmailDomain',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !isBlockedEmail(value),
        defaultMessage: (args: ValidationArguments) => `${args.property} uses an email domain that is not accepted (disposable mail)`,
      },
    });
}

const anyCase = (s: string) =>
  [...s].map((c) => (/[a-z]/.test(c) ? `[${c}${c.toUpperCase()}]` : c.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'))).join('');

/**
 * The block list as a JSON Schema pattern (no flags there, hence the spelled-out cases): what the
 * documents say of an email, read when the document is built, so it follows BLOCKED_EMAIL_DOMAINS.
 */
export function allowedEmailPattern(blocked: ReadonlySet<string> = blockedEmailDomains()): string {
  if (blocked.size === 0) return '^[^\\u0000]*$';
  const domains = [...blocked].map(anyCase).join('|');
  return `^(?![\\s\\S]*@(?:[^@]*\\.)?(?:${domains})\\.?\\s*$)[^\\u0000]*$`;
}
