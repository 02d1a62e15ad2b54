// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { randomUUID } from 'node:crypto';

/**
 * The value of every Kafka message. `data` is the only part that differs per event type;
 * the rest lets a consumer deduplicate (eventId), route (type, version) and correlate (requestId).
 */
export interface EventEnvelope<TType extends string = string, TData = unknown> {
  readonly eventId: string;
  readonly type: TType;
  readonly version: number;
  readonly occurredAt: string;
  readonly requestId: string | null;
  readonly data: TData;
}

export function createEnvelope<TType extends string, TData>(
  type: TType,
  version: number,
  data: TData,
  requestId: string | null,
): EventEnvelope<TType, TData> {
  return { eventId: randomUUID(), type, version, occurredAt: new Date().toISOString(), requestId, data };
}
