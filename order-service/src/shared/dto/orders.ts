// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsNumber, IsObject, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { ORDER_KINDS, OrderKind, PRODUCT_ID } from '../events/contracts';
import { PageQuery } from '../http/pagination';
import { HasAtMostTwoDecimals, MAX_PRICE, MIN_PRICE } from '../validation/price';
import { IsProductId } from '../validation/product-id';
import { IsAnyUuid } from '../validation/uuid';
import { UUID_SCHEMA } from './schema';

// The order bodies and answers of the gateway and of order-service: one class each.

/**
 * Every status an order can be in; order-service's state machine (orders/order-status.ts) says
 * which changes are allowed. pending is the start; paid, failed, cancelled, expired and refunded
 * are where an order rests; refund_pending waits on payment-service; refund_failed is a refund that
 * ran out of attempts and needs an operator (its message is in the dead-letter topic).
 */
export const ORDER_STATUSES = ['pending', 'paid', 'failed', 'cancelled', 'expired', 'refund_pending', 'refunded', 'refund_failed'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const MAX_ITEMS = 100;
export const MAX_QUANTITY = 9999;

export class OrderItemDto {
  /**
   * At most 255 characters: the column's size, and it keeps an order.created event far below
   * Kafka's 1 MB message limit (an event Kafka refuses would stall the outbox).
   */
  @ApiProperty({ example: 'product-123', pattern: PRODUCT_ID.source, maxLength: 255 })
  @IsProductId()
  readonly productId!: string;

  @ApiProperty({ example: 2, minimum: 1, maximum: MAX_QUANTITY, type: 'integer' })
  @IsInt()
  @Min(1)
  @Max(MAX_QUANTITY)
  readonly quantity!: number;

  @ApiProperty({
    example: 29.99,
    type: 'number',
    minimum: MIN_PRICE,
    maximum: MAX_PRICE,
    multipleOf: 0.01,
    description: 'A JSON number with at most 2 decimals ("12.30" as a string is refused)',
  })
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: '$property must be a JSON number such as 29.99, not a string' })
  @HasAtMostTwoDecimals()
  @Min(MIN_PRICE)
  @Max(MAX_PRICE)
  readonly price!: number;
}

export class CreateOrderDto {
  @ApiProperty({ ...UUID_SCHEMA, example: '8a6f2c1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b' })
  @IsAnyUuid()
  readonly userId!: string;

  @ApiProperty({ type: [OrderItemDto], minItems: 1, maxItems: MAX_ITEMS })
  @IsArray()
  @ArrayMinSize(1, { message: 'items must hold at least 1 item' })
  @ArrayMaxSize(MAX_ITEMS, { message: `items must hold at most ${MAX_ITEMS} items` })
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => OrderItemDto)
  readonly items!: OrderItemDto[];
}

/** `?limit=&offset=&userId=`: a page of all orders, or of one user's orders. */
export class ListOrdersQuery extends PageQuery {
  @ApiPropertyOptional({ ...UUID_SCHEMA, description: 'Only this user\'s orders' })
  @IsOptional()
  @IsAnyUuid()
  readonly userId?: string;
}

export class OrderItemResponseDto {
  @ApiProperty({ example: 'product-123' }) readonly productId!: string;
  @ApiProperty({ example: 2, type: 'integer' }) readonly quantity!: number;
  @ApiProperty({ example: 29.99, type: 'number', description: 'Unit price, exact to the cent' }) readonly price!: number;
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
 * What a client sees of an order. Amounts are JSON numbers, as the client sent them; order-service
 * computes and stores them exactly (integer cents, numeric(14,2)) and prints them without float drift.
 */
export class OrderResponseDto {
  @ApiProperty({ ...UUID_SCHEMA, example: '3c2b1a0f-9e8d-4c7b-a6f5-e4d3c2b1a098' }) readonly id!: string;
  @ApiProperty({ ...UUID_SCHEMA, example: '8a6f2c1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b' }) readonly userId!: string;
  @ApiProperty({ enum: ORDER_KINDS, example: 'regular', description: 'welcome: made by order-service for a new user' })
  readonly kind!: OrderKind;
  @ApiProperty({ enum: ORDER_STATUSES, example: 'pending' }) readonly status!: OrderStatus;
  @ApiProperty({ type: [OrderItemResponseDto] }) readonly items!: OrderItemResponseDto[];
  @ApiProperty({ example: 59.98, type: 'number', description: 'Sum of price × quantity, exact to the cent' })
  readonly totalAmount!: number;
  @ApiProperty({ format: 'date-time', example: '2025-01-31T12:00:00.000Z' }) readonly createdAt!: string;
  @ApiProperty({ format: 'date-time', example: '2025-01-31T12:00:05.000Z' }) readonly updatedAt!: string;
  @ApiPropertyOptional({ type: () => [OrderStatusChangeDto], description: 'Every status change, oldest first (GET /orders/:id and cancel only)' })
  readonly history?: OrderStatusChangeDto[];
}
