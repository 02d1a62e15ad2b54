import { DomainError } from '../shared/errors/domain-error';

export class OrderNotFoundError extends DomainError {
  readonly code = 'ORDER.NOT_FOUND';
  readonly kind = 'not_found';

  constructor(id: string) {
    super(`order ${id} not found`);
  }
}

/** 409 naming the status: the order is past the point where a cancel means anything. */
export class OrderNotCancellableError extends DomainError {
  readonly code = 'ORDER.NOT_CANCELLABLE';
  readonly kind = 'conflict';

  constructor(id: string, status: string) {
    super(`order ${id} is ${status} and cannot be cancelled`);
  }
}
