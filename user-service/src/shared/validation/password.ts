// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { ValidateBy } from 'class-validator';

export const PASSWORD_RULES_TEXT = 'at least 8 characters with an upper-case letter, a lower-case letter, a digit and a symbol';

/** What counts as a symbol (the set of validator.js's isStrongPassword, which this rule replaced). */
export const PASSWORD_SYMBOLS = '-#!$@£%^&*()_+|~=`{}[]:";\'<>?,./\\ ';

// Escaped for a character class in both JavaScript and Python (which warns on a bare `[`).
const escapeClass = (s: string) => s.replace(/[\\\][^-]/g, '\\$&');

/**
 * The rule as one regular expression, valid in JavaScript and in JSON Schema (ECMA-262): the API
 * documents this very pattern, so the document and the validator cannot disagree. Lengths count
 * characters (code points), as JSON Schema's minLength does; the maximum is the DTO's. No U+0000 (PostgreSQL text refuses it).
 */
export const PASSWORD_PATTERN = `^(?=[^a-z]*[a-z])(?=[^A-Z]*[A-Z])(?=[^0-9]*[0-9])(?=[\\s\\S]*[${escapeClass(PASSWORD_SYMBOLS)}])[^\\u0000]*$`;
const PASSWORD = new RegExp(PASSWORD_PATTERN);
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

export function isSecurePassword(value: unknown): boolean {
  if (typeof value !== 'string' || !PASSWORD.test(value)) return false;
  return [...value].length >= PASSWORD_MIN;
}

/** Password strength for register, create and update (`SecurePass123!` passes). */
export const IsSecurePassword = (): PropertyDecorator =>
  ValidateBy({
    name: 'isSecurePassword',
    validator: {
      validate: isSecurePassword,
      defaultMessage: (args) => `${args?.property ?? 'password'} must have ${PASSWORD_RULES_TEXT}`,
    },
  });
