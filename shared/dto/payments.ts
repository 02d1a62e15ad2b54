// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { PageQuery } from '../http/pagination';
import { IsAnyUuid } from '../validation/uuid';
import { UUID_SCHEMA } from './schema';

// The payment answers of the gateway and of payment-service: one class each.

export const PAYMENT_STATUSES = ['completed', 'failed'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export class ListPaymentsQuery extends PageQuery {
  @ApiPropertyOptional({ ...UUID_SCHEMA, description: 'Only the payment of this order' })
  @IsOptional()
  @IsAnyUuid()
  readonly orderId?: string;
}

export class PaymentResponseDto {
  @ApiProperty({ ...UUID_SCHEMA, example: '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a' }) readonly id!: string;
  @ApiProperty({ ...UUID_SCHEMA, example: '3c2b1a0f-9e8d-4c7b-a6f5-e4d3c2b1a098' }) readonly orderId!: string;
  @ApiProperty({ ...UUID_SCHEMA, example: '8a6f2c1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b' }) readonly userId!: string;
  @ApiProperty({ example: '59.98', description: 'Decimal string, exact to the cent' }) readonly amount!: string;
  @ApiProperty({ enum: PAYMENT_STATUSES, example: 'completed' }) readonly status!: PaymentStatus;
  @ApiProperty({ type: String, nullable: true, example: null, description: 'Why a failed payment failed' })
  readonly failureReason!: string | null;
  @ApiProperty({ format: 'date-time', example: '2025-01-31T12:00:01.000Z' }) readonly createdAt!: string;
}
