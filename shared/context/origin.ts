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
 * What runs now: its origin, and the unit of work it writes in (database/unit-of-work.ts). One
 * storage for both, since each AsyncLocalStorage in use costs every promise of the process a copy
 * of its store on Node 20.
 */
interface Running {
  readonly origin?: Origin;
  readonly unit?: object;
}

const storage = new AsyncLocalStorage<Running>();

/** Runs `work` with this origin, in the unit of work already open, if any (a batch's events each have their own origin). */
export function runWithOrigin<T>(origin: Origin, work: () => T): T {
  const unit = storage.getStore()?.unit;
  return storage.run(unit ? { origin, unit } : { origin }, work);
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
  const origin = storage.getStore()?.origin;
  return storage.run(origin ? { origin, unit } : { unit }, work);
}

/** The open unit of work, if any. For database/unit-of-work.ts. */
export function currentUnit<U extends object>(): U | undefined {
  return storage.getStore()?.unit as U | undefined;
}
