// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.

/** What kind of failure a domain error is; only the HTTP edge turns kinds into status codes. */
export type DomainErrorKind = 'invalid' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'unprocessable' | 'unavailable';

/** Errors of the business rules. Services throw them; Kafka handlers and HTTP both understand them. */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly kind: DomainErrorKind;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class DependencyUnavailableError extends DomainError {
  readonly code = 'DEPENDENCY.UNAVAILABLE';
  readonly kind = 'unavailable';
}

/** The caller may not do this with what another user owns (a rule of ownership, not of roles). */
export class NotYoursError extends DomainError {
  readonly code = 'ACCESS.NOT_YOURS';
  readonly kind = 'forbidden';
}
