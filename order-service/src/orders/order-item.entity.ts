import { Check, Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { Order } from './order.entity';

/** One line of an order; `position` keeps the client's order of items. */
@Entity('order_items')
@Check('order_items_position_check', '"position" >= 0')
@Check('order_items_quantity_check', '"quantity" BETWEEN 1 AND 9999')
@Check('order_items_price_check', '"price" >= 0')
export class OrderItem {
  @PrimaryColumn({ name: 'order_id', type: 'uuid' })
  @ForeignKey(() => Order, { name: 'order_items_order_id_fkey', onDelete: 'CASCADE' })
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
