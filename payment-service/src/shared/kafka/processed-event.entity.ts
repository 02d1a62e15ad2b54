// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** The events a consumer has already applied: its row is written in the same transaction as the effect. */
@Entity('processed_events')
export class ProcessedEvent {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  consumer!: string;

  @PrimaryColumn({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @CreateDateColumn({ name: 'processed_at', type: 'timestamptz' })
  processedAt!: Date;
}
