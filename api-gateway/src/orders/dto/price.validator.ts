import { ValidateBy, ValidationOptions } from 'class-validator';

/**
 * True for a finite number with at most two decimals (12, 12.3, 12.34); false for 12.345, 1e-7,
 * NaN, Infinity and anything not a number.
 *
 * Not `@IsNumber({ maxDecimalPlaces: 2 })`: class-validator 0.15 counts decimals by splitting
 * `value.toString()` on ".", which throws for numbers printed in exponent notation (1e-7), and
 * a throwing validator is a 500. A number with at most two decimals survives toFixed(2) unchanged.
 * (order-service has the same rule; it belongs in shared/ — see the gateway README.)
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
