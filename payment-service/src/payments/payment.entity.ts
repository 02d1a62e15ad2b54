import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { oneOf } from '../shared/database/checks';

import { PAYMENT_STATUSES, type PaymentStatus } from '../shared/dto/payments';

export { PAYMENT_STATUSES, type PaymentStatus } from '../shared/dto/payments';

/** The outcome of paying one order. A unique index on order_id keeps it to one per order. */
// What the migrations create, declared here too: `npm run migration:generate` then writes only
// what an entity change adds, never a DROP of these (e2e/run/app-scripts.run-spec.ts).
@Entity('payments')
@Index('payments_order_id_unique', ['orderId'], { unique: true })
@Index('payments_created_at', ['createdAt', 'id'])
@Check('payments_amount_check', '"amount" >= 0')
@Check('payments_status_check', oneOf('status', PAYMENT_STATUSES))
@Check('payments_check', `("status" = 'failed') = ("failure_reason" IS NOT NULL)`)
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
