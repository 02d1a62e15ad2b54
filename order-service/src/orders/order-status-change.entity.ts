import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { OrderStatus } from './order-status';

/** One step of an order's life, written with the status change it records. */
@Entity('order_status_history')
export class OrderStatusChange {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'order_id', type: 'uuid' })
  orderId!: string;

  @Column({ name: 'from_status', type: 'varchar', length: 16, nullable: true })
  fromStatus!: OrderStatus | null;

  @Column({ name: 'to_status', type: 'varchar', length: 16 })
  toStatus!: OrderStatus;

  /** What moved it: created, payment_completed, cancel, expire, refund_completed ... */
  @Column({ type: 'varchar', length: 32 })
  trigger!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;
}
