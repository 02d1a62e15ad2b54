import { DomainError } from '../shared/errors/domain-error';

export class PaymentNotFoundError extends DomainError {
  readonly code = 'PAYMENT.NOT_FOUND';
  readonly kind = 'not_found';

  constructor(id: string) {
    super(`payment ${id} not found`);
  }
}

/** A refund request that names a payment this service never completed: no retry can fix it. */
export class RefundNotPossibleError extends DomainError {
  readonly code = 'REFUND.NOT_POSSIBLE';
  readonly kind = 'unprocessable';
}

/**
 * Every refund call of this delivery was declined. The failure is recorded (refund row, order
 * refund_failed) and the request is dead-lettered without a ledger entry, so a redrive tries again.
 */
export class RefundExhaustedError extends DomainError {
  readonly code = 'REFUND.EXHAUSTED';
  readonly kind = 'unprocessable';
}
