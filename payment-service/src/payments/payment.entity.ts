import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

import type { PaymentStatus } from '../shared/dto/payments';

export { PAYMENT_STATUSES, type PaymentStatus } from '../shared/dto/payments';

/** The outcome of paying one order. A unique index on order_id keeps it to one per order. */
@Entity('payments')
export class Payment {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'order_id', type: 'uuid' })
  orderId!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  /** Exact decimal text ("12.30"): pg returns numeric as a string, never as a float. */
  @Column({ type: 'numeric', precision: 14, scale: 2 })
  amount!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: PaymentStatus;

  @Column({ name: 'failure_reason', type: 'varchar', length: 500, nullable: true })
  failureReason!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
