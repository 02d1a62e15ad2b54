import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { OrderKind } from '../shared/events/contracts';
import { oneOf } from '../shared/database/checks';
import { ORDER_STATUSES, type OrderStatus } from './order-status';

// What the migrations create, declared here too: `npm run migration:generate` then writes only
// what an entity change adds, never a DROP of these (e2e/run/app-scripts.run-spec.ts).
@Entity('orders')
@Index('orders_user_id_created_at', ['userId', 'createdAt'])
@Index('orders_created_at', ['createdAt', 'id'])
@Index('orders_one_welcome_per_user', ['userId'], { unique: true, where: `"kind" = 'welcome'` })
@Index('orders_pending_created_at', ['createdAt'], { where: `"status" = 'pending'` })
@Check('orders_kind_check', oneOf('kind', ['regular', 'welcome']))
@Check('orders_status_check', oneOf('status', ORDER_STATUSES))
@Check('orders_total_amount_check', '"total_amount" >= 0')
@Check('orders_paid_amount_check', '"paid_amount" >= 0')
export class Order {
  @PrimaryColumn('uuid')
  id!: string;

  /** Not a foreign key: users live in user-service. Orders outlive their user (history). */
  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: OrderKind;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: OrderStatus;

  /** Decimal string ("12.30"): pg returns numeric as text, and it stays text until the edge. */
  @Column({ name: 'total_amount', type: 'numeric', precision: 14, scale: 2 })
  totalAmount!: string;

  /** For a welcome order, when its user.created happened: the start of the user-to-paid chain. */
  @Column({ name: 'chain_started_at', type: 'timestamptz', nullable: true })
  chainStartedAt!: Date | null;

  /** The payment that paid the order: what a cancel after payment refunds. */
  @Column({ name: 'payment_id', type: 'uuid', nullable: true })
  paymentId!: string | null;

  @Column({ name: 'paid_amount', type: 'numeric', precision: 14, scale: 2, nullable: true })
  paidAmount!: string | null;

  @Column({ name: 'refund_requested_at', type: 'timestamptz', nullable: true })
  refundRequestedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
