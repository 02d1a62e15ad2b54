import { ValidateBy, ValidationOptions } from 'class-validator';

/**
 * True for a finite number with at most two decimals (12, 12.3, 12.34), false for 12.345, 1e-7,
 * NaN and Infinity.
 *
 * Why not `@IsNumber({ maxDecimalPlaces: 2 })`: class-validator 0.15.1 counts decimals by splitting
 * `value.toString()` on ".", which THROWS a TypeError for numbers printed in exponent notation
 * (`{"price": 1e-7}`), and a throwing validator becomes a 500. This check cannot throw: a number
 * with at most two decimals survives a round trip through toFixed(2) unchanged.
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
