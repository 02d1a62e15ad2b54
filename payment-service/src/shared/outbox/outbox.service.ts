// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Injectable } from '@nestjs/common';
import { context, propagation } from '@opentelemetry/api';
import { DataSource, EntityManager } from 'typeorm';
import { EventContract } from '../events/contracts';
import { createEnvelope, EventEnvelope } from '../events/envelope';
import { OutboxRelay } from './outbox-relay';

/**
 * The only way events leave a service: written with the business rows in one transaction
 * (so a row never exists without its event, nor an event without its row), then published by the relay.
 */
@Injectable()
export class Outbox {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
  ) {}

  /** Runs `work` in a transaction and wakes the relay once it has committed. */
  async transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const result = await this.dataSource.transaction(work);
    this.relay.wake();
    return result;
  }

  async add<TData>(
    manager: EntityManager,
    contract: EventContract<TData>,
    data: TData,
    requestId: string | null,
  ): Promise<EventEnvelope<string, TData>> {
    const envelope = createEnvelope(contract.type, contract.version, data, requestId);
    const headers: Record<string, string> = {};
    // The trace of the request that caused the event travels with the row to the relay.
    propagation.inject(context.active(), headers);
    if (requestId) headers['x-request-id'] = requestId;
    await manager.query(
      'INSERT INTO outbox_messages (topic, message_key, payload, headers) VALUES ($1, $2, $3, $4)',
      [contract.topic, contract.keyOf(data), JSON.stringify(envelope), JSON.stringify(headers)],
    );
    return envelope;
  }
}

/** Consumer-side deduplication: true the first time this consumer sees the event id. */
export async function firstDelivery(manager: EntityManager, consumer: string, eventId: string): Promise<boolean> {
  const rows: unknown[] = await manager.query(
    'INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id',
    [consumer, eventId],
  );
  return rows.length === 1;
}
