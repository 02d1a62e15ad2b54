import { DomainError } from '../shared/errors/domain-error';

export class OrderNotFoundError extends DomainError {
  readonly code = 'ORDER.NOT_FOUND';
  readonly kind = 'not_found';

  constructor(id: string) {
    super(`order ${id} not found`);
  }
}
