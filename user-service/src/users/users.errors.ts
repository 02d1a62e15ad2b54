import { DomainError } from '../shared/errors/domain-error';

export class UserNotFoundError extends DomainError {
  readonly code = 'USER.NOT_FOUND';
  readonly kind = 'not_found';

  constructor(id: string) {
    super(`user ${id} not found`);
  }
}

export class UserAlreadyExistsError extends DomainError {
  readonly code = 'USER.ALREADY_EXISTS';
  readonly kind = 'conflict';

  constructor(email: string) {
    super(`a user with email ${email} already exists`);
  }
}
