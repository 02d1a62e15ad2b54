import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ORDER_KINDS, OrderKind } from '../../shared/events/contracts';

export const ORDER_STATUSES = ['pending', 'paid', 'failed', 'cancelled', 'expired', 'refund_pending', 'refunded', 'refund_failed'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export class OrderItemResponseDto {
  @ApiProperty({ example: 'product-123' }) readonly productId!: string;
  @ApiProperty({ example: 2, type: 'integer' }) readonly quantity!: number;
  @ApiProperty({ example: 29.99, type: 'number', description: 'Unit price, exact to the cent' }) readonly price!: number;
}

export class OrderStatusChangeDto {
  @ApiProperty({ enum: ORDER_STATUSES, nullable: true, example: 'paid', description: 'null for the first entry (creation)' })
  readonly from!: OrderStatus | null;
  @ApiProperty({ enum: ORDER_STATUSES, example: 'refund_pending' }) readonly to!: OrderStatus;
  @ApiProperty({ example: 'cancel', description: 'created, payment_completed, payment_failed, cancel, expire, refund_completed, refund_failed' })
  readonly trigger!: string;
  @ApiProperty({ format: 'date-time', example: '2025-01-31T12:00:07.000Z' }) readonly at!: string;
}

/**
 * order-service's answer, documented here; the gateway passes it through unchanged. Amounts are
 * JSON numbers as the client sent them; order-service computes them in integer cents.
 */
export class OrderResponseDto {
  @ApiProperty({ format: 'uuid', example: '3c2b1a0f-9e8d-4c7b-a6f5-e4d3c2b1a098' }) readonly id!: string;
  @ApiProperty({ format: 'uuid', example: '8a6f2c1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b' }) readonly userId!: string;
  @ApiProperty({ enum: ORDER_KINDS, example: 'regular', description: 'welcome: made by order-service for a new user' })
  readonly kind!: OrderKind;
  @ApiProperty({ enum: ORDER_STATUSES, example: 'pending', description: 'pending until payment-service decides (paid, failed) or the customer cancels; expired past the payment deadline; a cancel after payment goes through refund_pending to refunded (refund_failed when the refund ran out of attempts)' })
  readonly status!: OrderStatus;
  @ApiProperty({ type: [OrderItemResponseDto] }) readonly items!: OrderItemResponseDto[];
  @ApiProperty({ example: 59.98, type: 'number', description: 'Sum of price × quantity, exact to the cent' })
  readonly totalAmount!: number;
  @ApiProperty({ format: 'date-time', example: '2025-01-31T12:00:00.000Z' }) readonly createdAt!: string;
  @ApiProperty({ format: 'date-time', example: '2025-01-31T12:00:05.000Z' }) readonly updatedAt!: string;
  @ApiPropertyOptional({ type: [OrderStatusChangeDto], description: 'Every status change, oldest first (one order and its cancel only, not lists)' })
  readonly history?: OrderStatusChangeDto[];
}
