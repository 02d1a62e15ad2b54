// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Injectable } from '@nestjs/common';
import { context, propagation } from '@opentelemetry/api';
import { currentRequestId, REQUEST_ID_HEADER } from '../context/origin';
import { UnitOfWork } from '../database/unit-of-work';
import { EventContract } from '../events/contracts';
import { createEnvelope, EventEnvelope } from '../events/envelope';
import { OutboxRelay } from './outbox-relay';

/**
 * The only way events leave a service: `events.record(Contract, data)` writes the event into the
 * outbox in the open unit of work, with the business rows (a row never exists without its event,
 * nor an event without its row); the relay publishes it once the unit has committed. The request
 * id and the trace of whatever caused the write travel with it.
 */
@Injectable()
export class Events {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly relay: OutboxRelay,
  ) {}

  async record<TData>(contract: EventContract<TData>, data: TData): Promise<EventEnvelope<string, TData>> {
    const requestId = currentRequestId();
    const envelope = createEnvelope(contract.type, contract.version, data, requestId);
    const headers: Record<string, string> = {};
    propagation.inject(context.active(), headers);
    if (requestId) headers[REQUEST_ID_HEADER] = requestId;
    await this.unitOfWork.transaction.query(
      'INSERT INTO outbox_messages (topic, message_key, payload, headers) VALUES ($1, $2, $3, $4)',
      [contract.topic, contract.keyOf(data), JSON.stringify(envelope), JSON.stringify(headers)],
    );
    this.unitOfWork.afterCommit('outbox-relay', () => this.relay.wake());
    return envelope;
  }
}
