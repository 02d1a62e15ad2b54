import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ORDER_KINDS, OrderKind } from '../../shared/events/contracts';
import { toJsonNumber } from '../money';
import { ORDER_STATUSES, OrderStatus } from '../order-status';
import type { OrderWithItems } from '../orders.service';

export class OrderItemResponseDto {
  @ApiProperty({ example: 'product-123' }) readonly productId!: string;
  @ApiProperty({ example: 2, type: 'integer' }) readonly quantity!: number;
  @ApiProperty({ example: 29.99, description: 'Unit price, exact to the cent' }) readonly price!: number;
}

export class OrderStatusChangeDto {
  @ApiProperty({ enum: ORDER_STATUSES, nullable: true, example: 'pending', description: 'null for the first entry (creation)' })
  readonly from!: OrderStatus | null;
  @ApiProperty({ enum: ORDER_STATUSES, example: 'cancelled' }) readonly to!: OrderStatus;
  @ApiProperty({ example: 'cancel', description: 'created, payment_completed, payment_failed, cancel, expire, refund_completed, refund_failed' })
  readonly trigger!: string;
  @ApiProperty({ format: 'date-time' }) readonly at!: string;
}

/**
 * What a client sees of an order. Amounts are JSON numbers, as the client sent them; they are
 * computed and stored exactly (integer cents, numeric(14,2)) and printed without float drift.
 */
export class OrderResponseDto {
  @ApiProperty({ format: 'uuid' }) readonly id!: string;
  @ApiProperty({ format: 'uuid' }) readonly userId!: string;
  @ApiProperty({ type: [OrderItemResponseDto] }) readonly items!: OrderItemResponseDto[];
  @ApiProperty({ example: 59.98, description: 'Sum of price × quantity, exact to the cent' })
  readonly totalAmount!: number;
  @ApiProperty({ enum: ORDER_STATUSES, example: 'pending' }) readonly status!: OrderStatus;
  @ApiProperty({ enum: ORDER_KINDS, example: 'regular' }) readonly kind!: OrderKind;
  @ApiProperty({ format: 'date-time' }) readonly createdAt!: string;
  @ApiProperty({ format: 'date-time' }) readonly updatedAt!: string;
  @ApiPropertyOptional({ type: [OrderStatusChangeDto], description: 'Every status change, oldest first (GET /orders/:id and cancel only)' })
  readonly history?: OrderStatusChangeDto[];

  static of({ order, items, history }: OrderWithItems): OrderResponseDto {
    return {
      id: order.id,
      userId: order.userId,
      items: items.map((i) => ({ productId: i.productId, quantity: i.quantity, price: toJsonNumber(i.price) })),
      totalAmount: toJsonNumber(order.totalAmount),
      status: order.status,
      kind: order.kind,
      createdAt: order.createdAt.toISOString(),
      updatedAt: order.updatedAt.toISOString(),
      ...(history ? { history: history.map((h) => ({ from: h.fromStatus, to: h.toStatus, trigger: h.trigger, at: h.at.toISOString() })) } : {}),
    };
  }
}
