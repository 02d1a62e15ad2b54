// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Injectable } from '@nestjs/common';
import { context, propagation } from '@opentelemetry/api';
import { currentRequestId, REQUEST_ID_HEADER } from '../context/origin';
import { prepared, UnitOfWork } from '../database/unit-of-work';
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
    const { envelope, row } = this.rowOf(contract, data);
    // Written when the unit commits, with every other event it recorded: a unit that records
    // many (a batch of consumed events) pays one round trip for its outbox rows, not one each.
    const pending = this.unitOfWork.local(PENDING_ROWS, (): OutboxRow[] => []);
    pending.push(row);
    this.unitOfWork.beforeCommit('outbox-rows', () => this.insert(pending));
    this.unitOfWork.afterCommit('outbox-relay', () => this.relay.wake());
    return envelope;
  }

  /**
   * `record` for a statement that writes the event's outbox row itself, in the round trip that
   * writes its business rows (`INSERT INTO ${OUTBOX_TABLE} ... $n, $n+1, $n+2::jsonb, $n+3::jsonb`):
   * returns the row's four parameters and writes nothing at commit, so a unit of one statement
   * needs no transaction (`unitOfWork.runStatement`). The relay is woken after the unit.
   * The row gets its id before rows `record` left for commit: use it for an event whose key no
   * other event of the unit has (a new aggregate's first event), so per-key order still holds.
   */
  outboxRow<TData>(contract: EventContract<TData>, data: TData): OutboxRow {
    const { row } = this.rowOf(contract, data);
    this.unitOfWork.afterCommit('outbox-relay', () => this.relay.wake());
    return row;
  }

  private rowOf<TData>(contract: EventContract<TData>, data: TData): { envelope: EventEnvelope<string, TData>; row: OutboxRow } {
    const requestId = currentRequestId();
    const envelope = createEnvelope(contract.type, contract.version, data, requestId);
    const headers: Record<string, string> = {};
    propagation.inject(context.active(), headers);
    if (requestId) headers[REQUEST_ID_HEADER] = requestId;
    return { envelope, row: [contract.topic, contract.keyOf(data), JSON.stringify(envelope), JSON.stringify(headers)] };
  }

  /** In record order (ids follow it: the relay publishes in id order, so per-key order holds). */
  private async insert(rows: OutboxRow[]): Promise<void> {
    if (rows.length === 0) return;
    if (rows.length === 1) {
      await this.unitOfWork.write(INSERT_ONE, rows[0]);
      return;
    }
    await this.unitOfWork.write(INSERT_MANY, [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2]), rows.map((r) => r[3])]);
  }
}

/** An outbox row's values: topic, message key, envelope JSON, headers JSON. */
export type OutboxRow = [topic: string, messageKey: string, payload: string, headers: string];

/** The outbox table with its columns in OutboxRow's order. */
export const OUTBOX_TABLE = 'outbox_messages (topic, message_key, payload, headers)';

const PENDING_ROWS = Symbol('pending outbox rows');

const INSERT_ONE = prepared('outbox.insert-one', `INSERT INTO ${OUTBOX_TABLE} VALUES ($1, $2, $3, $4)`);
const INSERT_MANY = prepared(
  'outbox.insert-many',
  `INSERT INTO ${OUTBOX_TABLE}
   SELECT topic, message_key, payload::jsonb, headers::jsonb
   FROM unnest($1::varchar[], $2::varchar[], $3::text[], $4::text[]) WITH ORDINALITY AS row(topic, message_key, payload, headers, n)
   ORDER BY n`,
);
