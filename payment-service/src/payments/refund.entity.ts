import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { oneOf } from '../shared/database/checks';
import { Payment } from './payment.entity';

import { REFUND_STATUSES, type RefundStatus } from '../shared/dto/payments';

export { REFUND_STATUSES, type RefundStatus } from '../shared/dto/payments';

/**
 * Giving one payment back, in full. A unique index on payment_id keeps it to one per payment; a
 * failed refund (attempts exhausted) is the same row, completed later if an operator redrives it.
 */
// What the migrations create, declared here too: `npm run migration:generate` then writes only
// what an entity change adds, never a DROP of these (e2e/run/app-scripts.run-spec.ts).
@Entity('refunds')
@Index('refunds_payment_id_unique', ['paymentId'], { unique: true })
@Index('refunds_order_id', ['orderId'])
@Check('refunds_amount_check', '"amount" >= 0')
@Check('refunds_status_check', oneOf('status', REFUND_STATUSES))
@Check('refunds_attempts_check', '"attempts" >= 1')
@Check('refunds_check', `("status" = 'failed') = ("failure_reason" IS NOT NULL)`)
export class Refund {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'payment_id', type: 'uuid' })
  @ForeignKey(() => Payment, { name: 'refunds_payment_id_fkey' })
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
