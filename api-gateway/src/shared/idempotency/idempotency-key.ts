// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { createHash } from 'node:crypto';
import { DomainError } from '../errors/domain-error';

/** The request header a client sends to make a POST safe to retry. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** Set to `true` on an answer that is the stored answer of an earlier request with the same key. */
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';

export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;
/**
 * 1–255 visible ASCII characters (0x21–0x7E). No spaces: HTTP trims a header value's edges, so a
 * key with a space at either end could not come back as it was sent; no control or non-ASCII
 * characters, whose treatment differs between HTTP clients. A UUID v4 per operation is the
 * recommended choice.
 */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7E]{1,255}$/;
export const IDEMPOTENCY_KEY_PATTERN_SOURCE = '^[\\x21-\\x7E]{1,255}$';

export class InvalidIdempotencyKeyError extends DomainError {
  readonly code = 'IDEMPOTENCY.INVALID_KEY';
  readonly kind = 'invalid';
}

/** The key was used before (within the retention) for another request: another body or path. */
export class IdempotencyKeyReusedError extends DomainError {
  readonly code = 'IDEMPOTENCY.KEY_REUSED';
  readonly kind = 'unprocessable';

  constructor(key: string) {
    super(`Idempotency-Key ${JSON.stringify(key)} was already used with a different request body or path: use a new key for a new request`);
  }
}

/** The first request with this key has not finished; retrying later gets its answer. */
export class IdempotencyKeyInFlightError extends DomainError {
  readonly code = 'IDEMPOTENCY.IN_FLIGHT';
  readonly kind = 'conflict';

  constructor(key: string) {
    super(`a request with Idempotency-Key ${JSON.stringify(key)} is still being processed: retry shortly to get its answer`);
  }
}

/**
 * The header's key, undefined when the client sent none, or an InvalidIdempotencyKeyError naming
 * what is wrong (sent twice counts as wrong: which one would be meant?).
 */
export function readIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (Array.isArray(header)) {
    if (header.length === 1) return readIdempotencyKey(header[0]);
    throw new InvalidIdempotencyKeyError('Idempotency-Key must be sent once');
  }
  if (header.length === 0) throw new InvalidIdempotencyKeyError('Idempotency-Key must not be empty (1 to 255 visible ASCII characters)');
  if (header.length > IDEMPOTENCY_KEY_MAX_LENGTH) {
    throw new InvalidIdempotencyKeyError(`Idempotency-Key must be at most ${IDEMPOTENCY_KEY_MAX_LENGTH} characters (got ${header.length})`);
  }
  if (!IDEMPOTENCY_KEY_PATTERN.test(header)) {
    throw new InvalidIdempotencyKeyError('Idempotency-Key must be visible ASCII characters only (0x21-0x7E: no spaces, no control or non-ASCII characters)');
  }
  return header;
}

/**
 * JSON with every object's keys sorted, so two bodies that mean the same thing (keys in another
 * order, other whitespace) compare equal. Bodies reach here already parsed and no deeper than
 * MAX_JSON_DEPTH (configureApp refuses deeper ones), so recursion is safe.
 */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const entries = Object.keys(value)
    .sort()
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

/** What the stored key is compared by: SHA-256 (hex) of method and path, and the canonical body. */
export function requestFingerprint(request: string, body: unknown): string {
  return createHash('sha256').update(request).update('\n').update(canonicalJson(body)).digest('hex');
}

/**
 * Whose key it is. A user's keys are theirs alone (the X-User-Id the gateway forwards). Without a
 * user (auth off, or a sign-up) there is no identity a client can prove: the API key is the
 * gateway's, shared by every client, and an address changes with NAT, networks and load
 * balancers, which would turn a retry into a second effect. So all such requests share one
 * anonymous scope; keys are meant to be random (a UUID), and a collision with another body is a
 * 422, never someone else's answer.
 */
export function idempotencyScope(userId: string | undefined): string {
  return userId ? `user:${userId}` : 'anonymous';
}
