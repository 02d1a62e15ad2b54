import type { PaymentResponseDto } from '../../shared/dto/payments';
import { Payment } from '../payment.entity';

export function toPaymentResponse(p: Payment): PaymentResponseDto {
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
