import { DomainError } from '../shared/errors/domain-error';

export class UnknownUserError extends DomainError {
  readonly code = 'ORDER.USER_UNKNOWN';
  readonly kind = 'unprocessable';

  constructor(userId: string) {
    super(`user ${userId} does not exist`);
  }
}

export class DeletedUserError extends DomainError {
  readonly code = 'ORDER.USER_DELETED';
  readonly kind = 'unprocessable';

  constructor(userId: string) {
    super(`user ${userId} has been deleted`);
  }
}
