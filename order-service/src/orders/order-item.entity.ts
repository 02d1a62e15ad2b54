import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One line of an order; `position` keeps the client's order of items. */
@Entity('order_items')
export class OrderItem {
  @PrimaryColumn({ name: 'order_id', type: 'uuid' })
  orderId!: string;

  @PrimaryColumn({ type: 'int' })
  position!: number;

  @Column({ name: 'product_id', type: 'varchar', length: 255 })
  productId!: string;

  @Column({ type: 'int' })
  quantity!: number;

  /** Unit price, decimal string ("12.30"). */
  @Column({ type: 'numeric', precision: 14, scale: 2 })
  price!: string;
}
