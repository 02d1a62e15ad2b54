import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsNumber,
  IsUUID,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { PRODUCT_ID } from '../../shared/events/contracts';
import { IsProductId } from '../../shared/validation/product-id';
import { HasAtMostTwoDecimals } from './price.validator';

export const MAX_ITEMS = 100;
export const MIN_PRICE = 0.01;
export const MAX_PRICE = 999999.99;

export class OrderItemDto {
  /**
   * At most 255 characters: the column's size, and it keeps an order.created event far below
   * Kafka's 1 MB message limit (an event Kafka refuses would stall the outbox).
   */
  @ApiProperty({ example: 'product-123', pattern: PRODUCT_ID.source, maxLength: 255 })
  @IsProductId()
  readonly productId!: string;

  @ApiProperty({ example: 2, minimum: 1, maximum: 9999, type: 'integer' })
  @IsInt()
  @Min(1)
  @Max(9999)
  readonly quantity!: number;

  /** A JSON number (a string such as "12.30" is refused, not coerced). */
  @ApiProperty({ example: 29.99, minimum: MIN_PRICE, maximum: MAX_PRICE, multipleOf: 0.01, type: 'number' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @HasAtMostTwoDecimals()
  @Min(MIN_PRICE)
  @Max(MAX_PRICE)
  readonly price!: number;
}

export class CreateOrderDto {
  @ApiProperty({ example: '3f0c1a52-6f1e-4c47-9d0a-2b3c4d5e6f70', format: 'uuid' })
  @IsUUID()
  readonly userId!: string;

  @ApiProperty({ type: [OrderItemDto], minItems: 1, maxItems: MAX_ITEMS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => OrderItemDto)
  readonly items!: OrderItemDto[];
}
