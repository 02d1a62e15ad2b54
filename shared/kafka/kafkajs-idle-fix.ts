// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
/* eslint-disable @typescript-eslint/no-require-imports */

/** How often kafkajs looks again at requests that wait for a free in-flight slot (its own value). */
const PENDING_RECHECK_MS = 10;

/** One request on the wire, as kafkajs' SocketRequest keeps it. */
interface SentRequest {
  sentAt: number;
  requestTimeout: number;
  timeoutRequest(): void;
}

/** The part of kafkajs' RequestQueue (src/network/requestQueue) that the fixes below touch. */
export interface RequestQueueInternals {
  pending: unknown[];
  inflight: Map<number, SentRequest>;
  requestTimeout: number;
  enforceRequestTimeout: boolean;
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  requestTimeoutIntervalId?: NodeJS.Timeout | null;
  /** Set while the connection is up and requests' timeouts are enforced (ours, not kafkajs'). */
  sweepsTimeouts?: boolean;
  isConnected(): boolean;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
  scheduleRequestTimeoutCheck(): void;
  sendSocketRequest(request: unknown): void;
  destroy(): void;
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

/**
 * kafkajs looks for timed-out requests on a 100 ms interval per connection, from connect to
 * disconnect, requests or none: ten wake-ups a second on every idle connection. Here a look is
 * armed only while requests are on the wire, for the moment the earliest of them times out, and
 * never later than one request timeout from now (no request sent meanwhile can time out sooner:
 * kafkajs gives each at least the connection's requestTimeout). A timed-out request is failed as
 * kafkajs fails it, at its deadline rather than up to 100 ms after; a connection found closed
 * stops looking, as in kafkajs.
 */
function scheduleRequestTimeoutCheck(this: RequestQueueInternals): void {
  if (!this.enforceRequestTimeout) return;
  this.destroy();
  this.sweepsTimeouts = true;
  armTimeoutSweep(this);
}

function armTimeoutSweep(queue: RequestQueueInternals): void {
  if (queue.requestTimeoutIntervalId) clearTimeout(queue.requestTimeoutIntervalId);
  queue.requestTimeoutIntervalId = null;
  if (!queue.sweepsTimeouts || queue.inflight.size === 0) return;
  const now = Date.now();
  let next = now + queue.requestTimeout;
  for (const request of queue.inflight.values()) next = Math.min(next, request.sentAt + request.requestTimeout);
  // kafkajs times a request out once strictly more than its timeout has passed.
  queue.requestTimeoutIntervalId = setTimeout(() => sweepTimedOut(queue), Math.max(0, next - now) + 1);
}

function sweepTimedOut(queue: RequestQueueInternals): void {
  queue.requestTimeoutIntervalId = null;
  const now = Date.now();
  for (const request of [...queue.inflight.values()]) {
    if (now - request.sentAt > request.requestTimeout) request.timeoutRequest();
  }
  if (!queue.isConnected()) queue.destroy();
  else armTimeoutSweep(queue);
}

/** Installs the fixes on kafkajs' RequestQueue (every client and connection shares the class). */
export function fixIdleRequestQueue(): void {
  const RequestQueue = require('kafkajs/src/network/requestQueue') as { prototype: RequestQueueInternals };
  const queue = RequestQueue.prototype;
  // A kafkajs whose queue no longer has these methods has changed: keep its own behaviour.
  if (typeof queue.scheduleCheckPendingRequests === 'function') queue.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
  const { sendSocketRequest, destroy } = queue;
  if (typeof queue.scheduleRequestTimeoutCheck !== 'function' || typeof sendSocketRequest !== 'function' || typeof destroy !== 'function') return;
  queue.scheduleRequestTimeoutCheck = scheduleRequestTimeoutCheck;
  queue.sendSocketRequest = function (this: RequestQueueInternals, request: unknown) {
    sendSocketRequest.call(this, request);
    if (!this.requestTimeoutIntervalId) armTimeoutSweep(this);
  };
  queue.destroy = function (this: RequestQueueInternals) {
    destroy.call(this);
    this.requestTimeoutIntervalId = null;
    this.sweepsTimeouts = false;
  };
}

fixIdleRequestQueue();
