// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What the code running now is handling: an HTTP request or a consumed event. Set once at the
 * edge (the HTTP request hook, the event consumer) and read where it matters (the events a write
 * records, the calls it makes to other services, every log line), instead of an id passed down
 * every call. One AsyncLocalStorage for all three: on Node 20 each one in use costs every promise
 * of the process a copy of its store.
 */
export interface Origin {
  readonly requestId: string | null;
  /** The consumed event's id, when the work is an event handler's. */
  readonly eventId?: string;
  /** The topic the event came from. */
  readonly topic?: string;
}

/** Carries the request id over HTTP and on Kafka messages (header names are lower case on both). */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * What runs now: its origin, the unit of work it writes in (database/unit-of-work.ts) and its
 * trace context (OpenTelemetry's, observability/tracing.ts). One storage for all three, since each
 * AsyncLocalStorage in use costs every promise of the process a copy of its store on Node 20.
 * Every store has all three fields, so reading one is the same property access whatever set it.
 */
interface Running {
  readonly origin: Origin | undefined;
  readonly unit: object | undefined;
  readonly trace: object | undefined;
}

const storage = new AsyncLocalStorage<Running>();

/** Runs `work` with this origin, in the unit of work already open, if any (a batch's events each have their own origin). */
export function runWithOrigin<T>(origin: Origin, work: () => T): T {
  const now = storage.getStore();
  return storage.run({ origin, unit: now?.unit, trace: now?.trace }, work);
}

/** The request or event being handled; none outside both (start-up, timers). */
export function currentOrigin(): Origin | undefined {
  return storage.getStore()?.origin;
}

export function currentRequestId(): string | null {
  return storage.getStore()?.origin?.requestId ?? null;
}

/** Runs `work` in a unit of work, keeping the origin. For database/unit-of-work.ts, which owns the unit's shape. */
export function runInUnit<U extends object, T>(unit: U, work: () => T): T {
  const now = storage.getStore();
  return storage.run({ origin: now?.origin, unit, trace: now?.trace }, work);
}

/** The open unit of work, if any. For database/unit-of-work.ts. */
export function currentUnit<U extends object>(): U | undefined {
  return storage.getStore()?.unit as U | undefined;
}

/** Runs `work(...args)` in a trace context, keeping the origin and the unit. For tracing's context manager. */
export function runInTrace<A extends unknown[], T>(trace: object, work: (...args: A) => T, ...args: A): T {
  const now = storage.getStore();
  return storage.run({ origin: now?.origin, unit: now?.unit, trace }, work, ...args);
}

/** The trace context of what runs now, if one was set. For tracing's context manager. */
export function currentTrace<C extends object>(): C | undefined {
  return storage.getStore()?.trace as C | undefined;
}
