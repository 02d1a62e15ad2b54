// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { IsStrongPassword } from 'class-validator';

/** At least 8 characters with an upper-case letter, a lower-case letter, a digit and a symbol. */
export const PASSWORD_RULES = { minLength: 8, minLowercase: 1, minUppercase: 1, minNumbers: 1, minSymbols: 1 } as const;

export const PASSWORD_RULES_TEXT = 'at least 8 characters with an upper-case letter, a lower-case letter, a digit and a symbol';

/** Password strength for register, create and update (`SecurePass123!` passes). */
export const IsSecurePassword = (): PropertyDecorator =>
  IsStrongPassword(PASSWORD_RULES, { message: ({ property }) => `${property} must have ${PASSWORD_RULES_TEXT}` });
