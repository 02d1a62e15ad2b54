import { ApiProperty } from '@nestjs/swagger';
import { ORDER_KINDS, OrderKind } from '../../shared/events/contracts';

export const ORDER_STATUSES = ['pending', 'paid', 'failed'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export class OrderItemResponseDto {
  @ApiProperty({ example: 'product-123' }) readonly productId!: string;
  @ApiProperty({ example: 2, type: 'integer' }) readonly quantity!: number;
  @ApiProperty({ example: 29.99, type: 'number', description: 'Unit price, exact to the cent' }) readonly price!: number;
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
  @ApiProperty({ enum: ORDER_STATUSES, example: 'pending', description: 'pending until payment-service decides: paid or failed' })
  readonly status!: OrderStatus;
  @ApiProperty({ type: [OrderItemResponseDto] }) readonly items!: OrderItemResponseDto[];
  @ApiProperty({ example: 59.98, type: 'number', description: 'Sum of price × quantity, exact to the cent' })
  readonly totalAmount!: number;
  @ApiProperty({ format: 'date-time', example: '2025-01-31T12:00:00.000Z' }) readonly createdAt!: string;
  @ApiProperty({ format: 'date-time', example: '2025-01-31T12:00:05.000Z' }) readonly updatedAt!: string;
}
