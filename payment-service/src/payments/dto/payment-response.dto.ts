import { ApiProperty } from '@nestjs/swagger';
import { PAYMENT_STATUSES, PaymentStatus } from '../payment.entity';
import type { PaymentWithRefund } from '../payments.service';
import { REFUND_STATUSES, RefundStatus } from '../refund.entity';

export class RefundResponseDto {
  @ApiProperty({ format: 'uuid' }) readonly id!: string;
  @ApiProperty({ example: '59.98', description: 'Decimal string, exact to the cent: the whole payment' }) readonly amount!: string;
  @ApiProperty({ enum: REFUND_STATUSES, description: 'failed: every attempt was declined (the request is dead-lettered)' })
  readonly status!: RefundStatus;
  @ApiProperty({ example: 1, type: 'integer' }) readonly attempts!: number;
  @ApiProperty({ type: String, nullable: true, example: null }) readonly failureReason!: string | null;
  @ApiProperty({ format: 'date-time' }) readonly createdAt!: string;
  @ApiProperty({ format: 'date-time' }) readonly updatedAt!: string;
}

export class PaymentResponseDto {
  @ApiProperty({ format: 'uuid' }) readonly id!: string;
  @ApiProperty({ format: 'uuid' }) readonly orderId!: string;
  @ApiProperty({ format: 'uuid' }) readonly userId!: string;
  @ApiProperty({ example: '59.98', description: 'Decimal string, exact to the cent' }) readonly amount!: string;
  @ApiProperty({ enum: PAYMENT_STATUSES }) readonly status!: PaymentStatus;
  @ApiProperty({ type: String, nullable: true, example: null }) readonly failureReason!: string | null;
  @ApiProperty({ format: 'date-time' }) readonly createdAt!: string;
  @ApiProperty({ type: RefundResponseDto, nullable: true, description: 'The refund of this payment, if one was asked for (at most one)' })
  readonly refund!: RefundResponseDto | null;

  static of({ payment: p, refund: r }: PaymentWithRefund): PaymentResponseDto {
    return {
      id: p.id,
      orderId: p.orderId,
      userId: p.userId,
      amount: p.amount,
      status: p.status,
      failureReason: p.failureReason,
      createdAt: p.createdAt.toISOString(),
      refund: r && {
        id: r.id,
        amount: r.amount,
        status: r.status,
        attempts: r.attempts,
        failureReason: r.failureReason,
        createdAt: r.createdAt.toISOString(),
        updatedAt: r.updatedAt.toISOString(),
      },
    };
  }
}
