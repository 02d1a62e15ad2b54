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

const storage = new AsyncLocalStorage<Origin>();

export function runWithOrigin<T>(origin: Origin, work: () => T): T {
  return storage.run(origin, work);
}

/** The request or event being handled; none outside both (start-up, timers). */
export function currentOrigin(): Origin | undefined {
  return storage.getStore();
}

export function currentRequestId(): string | null {
  return storage.getStore()?.requestId ?? null;
}
