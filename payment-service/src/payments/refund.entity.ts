import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

import type { RefundStatus } from '../shared/dto/payments';

export { REFUND_STATUSES, type RefundStatus } from '../shared/dto/payments';

/**
 * Giving one payment back, in full. A unique index on payment_id keeps it to one per payment; a
 * failed refund (attempts exhausted) is the same row, completed later if an operator redrives it.
 */
@Entity('refunds')
export class Refund {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'payment_id', type: 'uuid' })
  paymentId!: string;

  @Column({ name: 'order_id', type: 'uuid' })
  orderId!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ type: 'numeric', precision: 14, scale: 2 })
  amount!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: RefundStatus;

  /** Provider calls made so far, over every delivery of the request. */
  @Column({ type: 'int' })
  attempts!: number;

  @Column({ name: 'failure_reason', type: 'varchar', length: 500, nullable: true })
  failureReason!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
