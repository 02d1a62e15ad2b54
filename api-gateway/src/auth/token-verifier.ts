import { createHmac, createSecretKey, KeyObject, timingSafeEqual } from 'node:crypto';
import { ROLES, type Role } from '../shared/events/contracts';
import { AuthUser, TOKEN_ALGORITHM, TOKEN_AUDIENCE, TOKEN_ISSUER } from './auth-user';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BEARER = /^\s*bearer\s+(\S+)\s*$/i;
/** HMAC-SHA256 is 32 bytes. */
const SIGNATURE_BYTES = 32;
/** Tokens remembered as verified, at most (the oldest is forgotten first): ~300 bytes each. */
export const MAX_VERIFIED_TOKENS = 5000;

/** What a verified token said, for its next requests: only the clock can change the answer. */
interface VerifiedToken {
  readonly user: AuthUser;
  readonly exp: number;
  readonly nbf: number | undefined;
}

/** Why a token was refused; `expired` gets its own hint (log in again), the rest one message. */
export class TokenRefused extends Error {
  constructor(
    reason: string,
    readonly expired = false,
  ) {
    super(reason);
    this.name = 'TokenRefused';
  }
}

/**
 * Bearer tokens: HS256 only, signed with JWT_SECRET, not expired (nor used before `nbf`), issued
 * by this gateway (`iss`) for this API (`aud`), with a uuid `sub` and `sid` and known roles.
 *
 * Verified here with node:crypto and a key made once: the general-purpose libraries (passport-jwt
 * over jsonwebtoken) built a strategy context per request and tried to read the secret as a PEM
 * public key on every call before falling back to an HMAC key. This checks exactly what they were
 * configured to check, and one thing more: a token without `exp` is refused (every token this
 * gateway signs has one). A token verified once is remembered with its claims, so a client's next
 * requests cost a lookup and the clock checks, not a decode and an HMAC each (the HMAC was a fifth
 * of what auth added per request, bench/findings.md). Its signature and claims cannot change;
 * whether its session is still live is asked separately (SessionCheck).
 */
export class TokenVerifier {
  private readonly key: KeyObject;
  private readonly verified = new Map<string, VerifiedToken>();

  constructor(secret: string) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  /** The token of an `Authorization: Bearer <token>` header, if it has one. */
  static bearerOf(authorization: string | undefined): string | undefined {
    return authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
  }

  /** The caller a valid token names; throws TokenRefused otherwise. `now` in ms (tests). */
  verify(token: string, now = Date.now()): AuthUser {
    const known = this.verified.get(token);
    if (known) return checkClock(known, now).user;
    const verified = this.verifySignatureAndClaims(token, now);
    if (this.verified.size >= MAX_VERIFIED_TOKENS) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(token, verified);
    return verified.user;
  }

  private verifySignatureAndClaims(token: string, now: number): VerifiedToken {
    const firstDot = token.indexOf('.');
    const lastDot = token.lastIndexOf('.');
    if (firstDot <= 0 || lastDot === firstDot || token.indexOf('.', firstDot + 1) !== lastDot) throw new TokenRefused('malformed');
    const header = decodeJson(token.slice(0, firstDot));
    // The algorithm is pinned: `none`, HS512 and public-key algorithms are refused before any crypto.
    if (header?.alg !== TOKEN_ALGORITHM) throw new TokenRefused('algorithm not allowed');
    const signature = Buffer.from(token.slice(lastDot + 1), 'base64url');
    const expected = createHmac('sha256', this.key).update(token.slice(0, lastDot)).digest();
    if (signature.length !== SIGNATURE_BYTES || !timingSafeEqual(signature, expected)) throw new TokenRefused('bad signature');
    const claims = decodeJson(token.slice(firstDot + 1, lastDot));
    if (!claims) throw new TokenRefused('malformed claims');
    if (typeof claims.exp !== 'number') throw new TokenRefused('no expiry');
    if (claims.nbf !== undefined && typeof claims.nbf !== 'number') throw new TokenRefused('not active yet');
    const validity = checkClock({ exp: claims.exp, nbf: claims.nbf }, now);
    if (claims.iss !== TOKEN_ISSUER) throw new TokenRefused('wrong issuer');
    const aud = claims.aud;
    if (aud !== TOKEN_AUDIENCE && !(Array.isArray(aud) && aud.includes(TOKEN_AUDIENCE))) throw new TokenRefused('wrong audience');
    const user = userOf(claims);
    if (!user) throw new TokenRefused('malformed claims');
    // Shared by every request the token makes: nobody may change it.
    Object.freeze(user.roles);
    return { user: Object.freeze(user), ...validity };
  }
}

/** `validity` if it holds at `now` (ms): not expired, not before its `nbf`. */
function checkClock<T extends Pick<VerifiedToken, 'exp' | 'nbf'>>(validity: T, now: number): T {
  const seconds = Math.floor(now / 1000);
  if (seconds >= validity.exp) throw new TokenRefused('expired', true);
  if (validity.nbf !== undefined && validity.nbf > seconds) throw new TokenRefused('not active yet');
  return validity;
}

/**
 * The caller named by verified claims, or false when they have a strange shape (a `sub` that is
 * not a uuid, an unknown role): such a token never becomes a user. Ids are lower-cased.
 */
export function userOf(claims: { sub?: unknown; roles?: unknown; sid?: unknown }): AuthUser | false {
  const { sub, roles, sid } = claims;
  if (typeof sub !== 'string' || !UUID.test(sub)) return false;
  if (typeof sid !== 'string' || !UUID.test(sid)) return false;
  if (!Array.isArray(roles) || !roles.every((r) => (ROLES as readonly unknown[]).includes(r))) return false;
  return { id: sub.toLowerCase(), roles: roles as Role[], sessionId: sid.toLowerCase() };
}

/** A base64url JSON object, or undefined for anything else (bad base64, bad JSON, an array, a number). */
function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
