// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Injectable } from '@nestjs/common';
import { prepared, UnitOfWork } from '../database/unit-of-work';

/**
 * The consumers' idempotency ledger (processed_events): a row per (consumer, eventId), written in
 * the unit of work of the effect, so an effect and its "done" commit together. Only the consumer
 * framework (EventProcessor) uses it: a handler cannot forget it.
 */
@Injectable()
export class Ledger {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  /** True the first time this consumer sees the event id (and records it in the open unit). */
  async firstDelivery(consumer: string, eventId: string): Promise<boolean> {
    const rows = await this.unitOfWork.write(RECORD_ONE, [consumer, eventId]);
    return rows.length === 1;
  }

  /**
   * The batch form of firstDelivery, in one round trip: records every id in the open unit and
   * returns those this consumer had not seen (lower case, as PostgreSQL prints uuids).
   */
  async firstDeliveries(consumer: string, eventIds: readonly string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const rows = await this.unitOfWork.write<{ event_id: string }>(RECORD_MANY, [consumer, eventIds]);
    return new Set(rows.map((r) => r.event_id));
  }

  /** Without writing: whether the event was applied already (a quick answer before slow work). */
  async seen(consumer: string, eventId: string): Promise<boolean> {
    const rows: unknown[] = await this.unitOfWork.reader.query(
      'SELECT 1 FROM processed_events WHERE consumer = $1 AND event_id = $2',
      [consumer, eventId],
    );
    return rows.length === 1;
  }
}

const RECORD_ONE = prepared(
  'ledger.record-one',
  'INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id',
);
const RECORD_MANY = prepared(
  'ledger.record-many',
  'INSERT INTO processed_events (consumer, event_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING RETURNING event_id',
);
