// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
/* eslint-disable @typescript-eslint/no-require-imports */

/** How often kafkajs looks again at requests that wait for a free in-flight slot (its own value). */
const PENDING_RECHECK_MS = 10;

/** The part of kafkajs' RequestQueue (src/network/requestQueue) that the fix below touches. */
export interface RequestQueueInternals {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/**
 * kafkajs 2.2.4 (the last release) re-arms a timer in each connection's request queue after every
 * check, even with nothing queued: the delay it computes is then negative, so the timer fires
 * every millisecond for as long as the connection lives (kafkajs issues 1556 and 1704, still
 * open). An idle service with a consumer, a producer and an admin client spent ~1 % of a core on
 * it alone. A check is needed only while requests wait in the queue: a new request either goes
 * out at once or is queued, and queuing schedules a check. Waiting requests are checked exactly as
 * kafkajs does: when the broker's throttling ends, else every PENDING_RECHECK_MS.
 */
function scheduleCheckPendingRequests(this: RequestQueueInternals): void {
  if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
  const throttledFor = this.throttledUntil - Date.now();
  this.throttleCheckTimeoutId = setTimeout(
    () => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    },
    throttledFor > 0 ? throttledFor : PENDING_RECHECK_MS,
  );
}

/** Installs the fix on kafkajs' RequestQueue (every client and connection shares the class). */
export function fixIdleRequestQueue(): void {
  const RequestQueue = require('kafkajs/src/network/requestQueue') as { prototype: RequestQueueInternals };
  // A kafkajs whose queue no longer has this method has changed: keep its own behaviour.
  if (typeof RequestQueue.prototype.scheduleCheckPendingRequests !== 'function') return;
  RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
}

fixIdleRequestQueue();
