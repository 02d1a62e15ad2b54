// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { hash, timingSafeEqual } from 'node:crypto';

/** The gateway's key, sent on every call to a service. */
export const API_KEY_HEADER = 'x-api-key';
/** Who the gateway authenticated (JWT `sub`); set by the gateway only, trusted only with the key. */
export const USER_ID_HEADER = 'x-user-id';
/** That user's roles, comma-separated; same rules as USER_ID_HEADER. */
export const USER_ROLES_HEADER = 'x-user-roles';
/** The session of that user's token (JWT `sid`); same rules as USER_ID_HEADER. */
export const SESSION_ID_HEADER = 'x-session-id';

/**
 * Compares a presented secret with the expected one in constant time. Both sides are hashed
 * first (SHA-256), so the comparison takes as long whatever the presented length and whichever
 * byte differs: timingSafeEqual alone would throw, and leak, on a length mismatch.
 */
export function sameSecret(presented: unknown, expected: string): boolean {
  if (typeof presented !== 'string' || expected.length === 0) return false;
  return timingSafeEqual(sha256(presented), digestOfExpected(expected));
}

// One-shot: building a Hash object (a native handle) per request was half of the ~8 µs user-service
// spent hashing the key under load (a CPU profile, bench/findings.md).
const sha256 = (text: string) => hash('sha256', text, 'buffer');

/** The expected secret is the same on every call (the app's key): hashed once, not per request. */
let lastExpected: { secret: string; digest: Buffer } | undefined;
function digestOfExpected(secret: string): Buffer {
  if (lastExpected?.secret !== secret) lastExpected = { secret, digest: sha256(secret) };
  return lastExpected.digest;
}
