import { DomainError } from '../shared/errors/domain-error';

export class PaymentNotFoundError extends DomainError {
  readonly code = 'PAYMENT.NOT_FOUND';
  readonly kind = 'not_found';

  constructor(id: string) {
    super(`payment ${id} not found`);
  }
}
