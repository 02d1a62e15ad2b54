import type { PaymentResponseDto } from '../../shared/dto/payments';
import type { PaymentWithRefund } from '../payments.service';

export function toPaymentResponse({ payment: p, refund: r }: PaymentWithRefund): PaymentResponseDto {
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
