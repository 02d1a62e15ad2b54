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

/** The seed's rules; order-service checks them again. */
export class OrderItemDto {
  @ApiProperty({ example: 'product-123', pattern: PRODUCT_ID.source, maxLength: 255 })
  @IsProductId()
  readonly productId!: string;

  @ApiProperty({ example: 2, minimum: 1, maximum: 9999, type: 'integer' })
  @IsInt()
  @Min(1)
  @Max(9999)
  readonly quantity!: number;

  @ApiProperty({
    example: 29.99,
    type: 'number',
    minimum: 0.01,
    maximum: 999999.99,
    multipleOf: 0.01,
    description: 'A JSON number with at most 2 decimals ("12.30" as a string is refused)',
  })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @HasAtMostTwoDecimals()
  @Min(0.01)
  @Max(999999.99)
  readonly price!: number;
}

export class CreateOrderDto {
  @ApiProperty({ format: 'uuid', example: '8a6f2c1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b' })
  @IsUUID()
  readonly userId!: string;

  @ApiProperty({ type: [OrderItemDto], minItems: 1, maxItems: 100 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => OrderItemDto)
  readonly items!: OrderItemDto[];
}
