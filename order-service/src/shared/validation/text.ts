// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { ValidateBy } from 'class-validator';

/** PostgreSQL text takes no U+0000: refused at the edge, and documented as this pattern. */
export const NO_NUL_PATTERN = '^[^\\u0000]*$';

/**
 * A string of min..max characters counted as JSON Schema counts them (code points), so
 * `minLength`/`maxLength` in the documents mean exactly this (class-validator's Length also skips
 * U+FE0E/U+FE0F).
 */
export function HasChars(min: number, max: number): PropertyDecorator {
  return ValidateBy({
    name: 'hasChars',
    constraints: [min, max],
    validator: {
      validate: (value: unknown) => typeof value === 'string' && [...value].length >= min && [...value].length <= max,
      defaultMessage: (args) =>
        min > 0 ? `${args?.property} must be ${min} to ${max} characters long` : `${args?.property} must be at most ${max} characters long`,
    },
  });
}
