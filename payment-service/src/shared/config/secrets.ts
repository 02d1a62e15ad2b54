// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { registerDecorator, ValidationArguments } from 'class-validator';

/** 32 characters: 192 bits and more for a random key; HS256 wants at least 256 bits of key. */
export const MIN_SECRET_LENGTH = 32;

/** Pieces of the placeholder values that ship with this repo and with the usual examples. */
const PLACEHOLDER_MARKS = ['not-for-production', 'changeme', 'change-me', 'change_me', 'your-secret', 'your-api-key', 'example', 'default'];

/**
 * Why a secret may not be used in production, or null when it may. Refused: missing (when
 * required), shorter than 32 characters, or one of the placeholders (the development defaults say
 * "not-for-production").
 */
export function productionSecretProblem(value: unknown, required: boolean): string | null {
  if (value === undefined || value === null || value === '') return required ? 'must be set in production' : null;
  if (typeof value !== 'string') return 'must be a string';
  if (value.length < MIN_SECRET_LENGTH) return `must be at least ${MIN_SECRET_LENGTH} characters in production`;
  const lower = value.toLowerCase();
  if (PLACEHOLDER_MARKS.some((mark) => lower.includes(mark))) return 'is a default/placeholder value; set a random one in production';
  return null;
}

/**
 * A secret variable (API_KEY, JWT_SECRET): any string in development and test; in production
 * `productionSecretProblem` must find nothing. Reads NODE_ENV from the same environment object.
 */
export function IsSecret(options: { requiredInProduction: boolean }): PropertyDecorator {
  const problemOf = (args: ValidationArguments): string | null => {
    if ((args.object as { NODE_ENV?: unknown }).NODE_ENV === 'production') {
      return productionSecretProblem(args.value, options.requiredInProduction);
    }
    return args.value === undefined || typeof args.value === 'string' ? null : 'must be a string';
  };
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isSecret',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (_value: unknown, args: ValidationArguments) => problemOf(args) === null,
        defaultMessage: (args: ValidationArguments) => `${args.property} ${problemOf(args) ?? 'is invalid'}`,
      },
    });
}
