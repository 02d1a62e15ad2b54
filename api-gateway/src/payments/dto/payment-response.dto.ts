import { ApiProperty } from '@nestjs/swagger';

export const PAYMENT_STATUSES = ['completed', 'failed'] as const;

export class RefundResponseDto {
  @ApiProperty({ format: 'uuid', example: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0' }) readonly id!: string;
  @ApiProperty({ example: '59.98', description: 'Decimal string, exact to the cent: the whole payment' }) readonly amount!: string;
  @ApiProperty({ enum: ['completed', 'failed'], example: 'completed', description: 'failed: every attempt was declined (the request is dead-lettered)' })
  readonly status!: 'completed' | 'failed';
  @ApiProperty({ example: 1, type: 'integer' }) readonly attempts!: number;
  @ApiProperty({ type: String, nullable: true, example: null }) readonly failureReason!: string | null;
  @ApiProperty({ format: 'date-time', example: '2025-01-31T12:00:09.000Z' }) readonly createdAt!: string;
  @ApiProperty({ format: 'date-time', example: '2025-01-31T12:00:09.000Z' }) readonly updatedAt!: string;
}

/** payment-service's answer, documented here; the gateway passes it through unchanged. */
export class PaymentResponseDto {
  @ApiProperty({ format: 'uuid', example: '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a' }) readonly id!: string;
  @ApiProperty({ format: 'uuid', example: '3c2b1a0f-9e8d-4c7b-a6f5-e4d3c2b1a098' }) readonly orderId!: string;
  @ApiProperty({ format: 'uuid', example: '8a6f2c1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b' }) readonly userId!: string;
  @ApiProperty({ example: '59.98', description: 'Decimal string, exact to the cent' }) readonly amount!: string;
  @ApiProperty({ enum: PAYMENT_STATUSES, example: 'completed' }) readonly status!: (typeof PAYMENT_STATUSES)[number];
  @ApiProperty({ type: String, nullable: true, example: null, description: 'Why a failed payment failed' })
  readonly failureReason!: string | null;
  @ApiProperty({ format: 'date-time', example: '2025-01-31T12:00:01.000Z' }) readonly createdAt!: string;
  @ApiProperty({ type: RefundResponseDto, nullable: true, description: 'The refund of this payment, if one was asked for (at most one)' })
  readonly refund!: RefundResponseDto | null;
}
