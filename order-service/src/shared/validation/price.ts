// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { ValidateBy, ValidationOptions } from 'class-validator';

export const MIN_PRICE = 0.01;
export const MAX_PRICE = 999999.99;

/**
 * True for a finite number with at most two decimals (12, 12.3, 12.34); false for 12.345, 1e-7,
 * NaN, Infinity and anything not a number.
 *
 * Not `@IsNumber({ maxDecimalPlaces: 2 })`: class-validator counts decimals by splitting
 * `value.toString()` on ".", which throws for numbers printed in exponent notation (1e-7), and
 * a throwing validator is a 500. A number with at most two decimals survives toFixed(2) unchanged.
 */
export function hasAtMostTwoDecimals(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && Number(value.toFixed(2)) === value;
}

export function HasAtMostTwoDecimals(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'hasAtMostTwoDecimals',
      validator: {
        validate: hasAtMostTwoDecimals,
        defaultMessage: (args) => `${args?.property ?? 'value'} must have at most 2 decimal places`,
      },
    },
    options,
  );
}
