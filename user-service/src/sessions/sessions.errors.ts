import { DomainError } from '../shared/errors/domain-error';

/** A refresh token that is unknown, expired, already traded, or of an ended session: one answer for all. */
export class InvalidRefreshTokenError extends DomainError {
  readonly code = 'SESSION.INVALID_REFRESH_TOKEN';
  readonly kind = 'unauthenticated';

  constructor() {
    super('invalid or expired refresh token: log in again');
  }
}

export class SessionNotFoundError extends DomainError {
  readonly code = 'SESSION.NOT_FOUND';
  readonly kind = 'not_found';

  constructor(id: string) {
    super(`session ${id} not found`);
  }
}
