import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { oneOf } from '../shared/database/checks';
import { Order } from './order.entity';
import { ORDER_STATUSES, type OrderStatus } from './order-status';

/** One step of an order's life, written with the status change it records. */
@Entity('order_status_history')
@Index('order_status_history_order_id', ['orderId', 'id'])
@Check('order_status_history_from_status_check', oneOf('from_status', ORDER_STATUSES))
@Check('order_status_history_to_status_check', oneOf('to_status', ORDER_STATUSES))
export class OrderStatusChange {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'order_id', type: 'uuid' })
  @ForeignKey(() => Order, { name: 'order_status_history_order_id_fkey', onDelete: 'CASCADE' })
  orderId!: string;

  @Column({ name: 'from_status', type: 'varchar', length: 16, nullable: true })
  fromStatus!: OrderStatus | null;

  @Column({ name: 'to_status', type: 'varchar', length: 16 })
  toStatus!: OrderStatus;

  /** What moved it: created, payment_completed, cancel, expire, refund_completed ... */
  @Column({ type: 'varchar', length: 32 })
  trigger!: string;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  at!: Date;
}
