// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { EventEnvelope } from '../events/envelope';

/** An event written in the same transaction as the row it is about; the relay publishes it. */
@Entity('outbox_messages')
export class OutboxMessage {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'varchar', length: 255 })
  topic!: string;

  @Column({ name: 'message_key', type: 'varchar', length: 255 })
  messageKey!: string;

  @Column({ type: 'jsonb' })
  payload!: EventEnvelope;

  /** traceparent and x-request-id of the request that caused the event. */
  // As PostgreSQL reports it back (without the cast), so a generated migration finds no change.
  @Column({ type: 'jsonb', default: () => "'{}'" })
  headers!: Record<string, string>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
