// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { EventContract } from './contracts';
import { EventEnvelope } from './envelope';
import { MAX_JSON_DEPTH, nestedDeeperThan } from './json-limits';

export type ParsedEvent<TData> =
  | { readonly ok: true; readonly event: EventEnvelope<string, TData> }
  | { readonly ok: false; readonly reason: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * Turns a raw Kafka value into a validated event, or says why it cannot be one.
 * Never throws: a consumer parks what it cannot parse instead of retrying it forever.
 */
export function parseEvent<TData extends object>(
  contract: EventContract<TData>,
  raw: unknown,
): ParsedEvent<TData> {
  try {
    return parse(contract, raw);
  } catch (error) {
    // Last line of defence for "never throws": a throw here would make the consumer retry the
    // message forever and stall its partition.
    return { ok: false, reason: `cannot be parsed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300) };
  }
}

function parse<TData extends object>(contract: EventContract<TData>, raw: unknown): ParsedEvent<TData> {
  const value = toPlainObject(raw);
  if (typeof value === 'string') return { ok: false, reason: value };
  // Before anything recursive walks it: 2,000 nested arrays overflowed class-transformer's stack.
  if (nestedDeeperThan(value, MAX_JSON_DEPTH)) return { ok: false, reason: `value nested deeper than ${MAX_JSON_DEPTH} levels` };
  const forbidden = findForbiddenKey(value);
  if (forbidden) return { ok: false, reason: `forbidden key ${forbidden}` };
  const envelopeProblem = checkEnvelope(contract, value);
  if (envelopeProblem) return { ok: false, reason: envelopeProblem };

  const data = plainToInstance(contract.dataClass, value.data, { excludeExtraneousValues: false });
  const errors = validateSync(data, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  if (errors.length > 0) return { ok: false, reason: `invalid data: ${describe(errors)}` };

  const event: EventEnvelope<string, TData> = {
    eventId: value.eventId as string,
    type: value.type as string,
    version: value.version as number,
    occurredAt: value.occurredAt as string,
    requestId: (value.requestId as string | null | undefined) ?? null,
    data,
  };
  return { ok: true, event };
}

function toPlainObject(raw: unknown): Record<string, unknown> | string {
  let value = raw;
  if (Buffer.isBuffer(value)) value = value.toString('utf8');
  if (typeof value === 'string') {
    if (Buffer.byteLength(value) > MAX_MESSAGE_BYTES) return 'message larger than 1 MB';
    try {
      value = JSON.parse(value);
    } catch {
      return 'value is not JSON';
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return 'value is not a JSON object';
  }
  return value as Record<string, unknown>;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** JSON.parse keeps "__proto__" as an own key; refuse it rather than let a later merge act on it. */
function findForbiddenKey(value: unknown, depth = 0): string | null {
  if (value === null || typeof value !== 'object' || depth > 10) return null;
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) return key;
    const nested = findForbiddenKey((value as Record<string, unknown>)[key], depth + 1);
    if (nested) return nested;
  }
  return null;
}

function checkEnvelope(contract: { type: string; version: number }, v: Record<string, unknown>): string | null {
  if (typeof v.eventId !== 'string' || !UUID.test(v.eventId)) return 'eventId must be a uuid';
  if (v.type !== contract.type) return `type must be ${contract.type}, got ${String(v.type).slice(0, 50)}`;
  if (v.version !== contract.version) {
    return `unsupported version ${String(v.version).slice(0, 20)} of ${contract.type} (supported: ${contract.version})`;
  }
  if (typeof v.occurredAt !== 'string' || Number.isNaN(Date.parse(v.occurredAt))) {
    return 'occurredAt must be an ISO date';
  }
  if (v.requestId !== undefined && v.requestId !== null && typeof v.requestId !== 'string') {
    return 'requestId must be a string or null';
  }
  if (v.data === null || typeof v.data !== 'object' || Array.isArray(v.data)) return 'data must be an object';
  return null;
}

function describe(errors: ValidationError[], parent = ''): string {
  return errors
    .flatMap((e) => {
      const path = parent ? `${parent}.${e.property}` : e.property;
      const own = Object.values(e.constraints ?? {}).map((m) => `${path}: ${m}`);
      return [...own, ...(e.children?.length ? [describe(e.children, path)] : [])];
    })
    .join('; ');
}
