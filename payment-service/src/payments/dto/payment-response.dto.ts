import { ApiProperty } from '@nestjs/swagger';
import { Payment, PAYMENT_STATUSES, PaymentStatus } from '../payment.entity';

export class PaymentResponseDto {
  @ApiProperty({ format: 'uuid' }) readonly id!: string;
  @ApiProperty({ format: 'uuid' }) readonly orderId!: string;
  @ApiProperty({ format: 'uuid' }) readonly userId!: string;
  @ApiProperty({ example: '59.98', description: 'Decimal string, exact to the cent' }) readonly amount!: string;
  @ApiProperty({ enum: PAYMENT_STATUSES }) readonly status!: PaymentStatus;
  @ApiProperty({ type: String, nullable: true, example: null }) readonly failureReason!: string | null;
  @ApiProperty({ format: 'date-time' }) readonly createdAt!: string;

  static of(p: Payment): PaymentResponseDto {
    return {
      id: p.id,
      orderId: p.orderId,
      userId: p.userId,
      amount: p.amount,
      status: p.status,
      failureReason: p.failureReason,
      createdAt: p.createdAt.toISOString(),
    };
  }
}
