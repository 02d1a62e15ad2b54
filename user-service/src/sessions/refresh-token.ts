import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe: the opaque refresh token handed to the client once. */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * What is stored and looked up: the token's SHA-256. The token has 256 bits of entropy, so a fast
 * hash is enough (no salt or slow hash needed to resist guessing), and a leaked table holds no
 * usable token.
 */
export function digestOf(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
