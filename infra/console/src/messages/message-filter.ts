import { ConsoleMessage } from './console-message';

/** What the message list, the dead-letter list and `npm run dlq` filter on; every field optional. */
export interface MessageFilter {
  readonly topic?: string;
  readonly partition?: number;
  readonly key?: string;
  readonly eventId?: string;
  readonly requestId?: string;
  readonly traceId?: string;
  /** Inclusive bounds on the message timestamp. */
  readonly from?: Date;
  readonly to?: Date;
}

/** What makes a filter match nothing whatever the messages: its time bounds crossed. */
export function filterProblem(f: MessageFilter): string | null {
  if (f.from !== undefined && f.to !== undefined && f.from.getTime() > f.to.getTime()) {
    return `from (${f.from.toISOString()}) is after to (${f.to.toISOString()})`;
  }
  return null;
}

export function matchesFilter(m: ConsoleMessage, f: MessageFilter): boolean {
  return (
    (f.topic === undefined || m.topic === f.topic) &&
    (f.partition === undefined || m.partition === f.partition) &&
    (f.key === undefined || m.key?.toString('utf8') === f.key) &&
    (f.eventId === undefined || m.eventId === f.eventId) &&
    (f.requestId === undefined || m.requestId === f.requestId) &&
    (f.traceId === undefined || m.traceId === f.traceId.toLowerCase()) &&
    (f.from === undefined || m.timestamp >= f.from.getTime()) &&
    (f.to === undefined || m.timestamp <= f.to.getTime())
  );
}

/** Newest first: by timestamp, then offset, so one partition's order is kept among equal times. */
export const newestFirst = (a: ConsoleMessage, b: ConsoleMessage): number =>
  b.timestamp - a.timestamp || a.topic.localeCompare(b.topic) || b.partition - a.partition || b.offset - a.offset;

export const oldestFirst = (a: ConsoleMessage, b: ConsoleMessage): number => -newestFirst(a, b);
