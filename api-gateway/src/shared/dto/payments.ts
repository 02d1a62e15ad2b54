// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { PageQuery } from '../http/pagination';
import { IsAnyUuid } from '../validation/uuid';
import { UUID_SCHEMA } from './schema';

// The payment answers of the gateway and of payment-service: one class each.

export const PAYMENT_STATUSES = ['completed', 'failed'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** A refund gives a payment back in full; failed: every attempt was declined (its request is dead-lettered). */
export const REFUND_STATUSES = ['completed', 'failed'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

export class RefundResponseDto {
  @ApiProperty(UUID_SCHEMA) readonly id!: string;
  @ApiProperty({ example: '59.98', description: 'Decimal string, exact to the cent: the whole payment' }) readonly amount!: string;
  @ApiProperty({ enum: REFUND_STATUSES, description: 'failed: every attempt was declined (the request is dead-lettered)' })
  readonly status!: RefundStatus;
  @ApiProperty({ example: 1, type: 'integer' }) readonly attempts!: number;
  @ApiProperty({ type: String, nullable: true, example: null }) readonly failureReason!: string | null;
  @ApiProperty({ format: 'date-time' }) readonly createdAt!: string;
  @ApiProperty({ format: 'date-time' }) readonly updatedAt!: string;
}

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
  @ApiProperty({ type: RefundResponseDto, nullable: true, description: 'The refund of this payment, if one was asked for (at most one)' })
  readonly refund!: RefundResponseDto | null;
}
