// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Matches, ValidateBy } from 'class-validator';

/** A lifetime setting: seconds, or a number with s, m, h or d ("3600", "15m", "1h", "30d"). */
export const IsDuration = (variable: string): PropertyDecorator =>
  Matches(/^\d+[smhd]?$/, { message: `${variable} must be seconds or a number with s, m, h or d (e.g. 3600, 15m, 1h, 30d)` });

/** A duration setting in seconds. */
export function durationSeconds(text: string, variable = 'duration'): number {
  const match = /^(\d+)([smhd]?)$/.exec(text);
  if (!match) throw new Error(`${variable}=${text} is not a duration`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/** A duration setting that may not be shorter than `minSeconds` (a promise made to clients rests on it). */
export const IsDurationAtLeast = (variable: string, minSeconds: number, minText: string): PropertyDecorator =>
  ValidateBy({
    name: 'isDurationAtLeast',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && /^\d+[smhd]?$/.test(value) && durationSeconds(value) >= minSeconds,
      defaultMessage: () => `${variable} must be seconds or a number with s, m, h or d, at least ${minText} (e.g. 24h, 2d)`,
    },
  });
