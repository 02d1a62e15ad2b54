import { createHmac } from 'node:crypto';

export const TEST_JWT_SECRET = 'unit-test-jwt-secret-0123456789abcdefghij';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export interface TokenOptions {
  secret?: string;
  alg?: 'HS256' | 'HS512' | 'none';
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  iss?: string;
  aud?: string;
}

/** Signs any token by hand, so tests can forge what the gateway must refuse. */
export function token(claims: Record<string, unknown>, opts: TokenOptions = {}): string {
  const alg = opts.alg ?? 'HS256';
  const now = Math.floor(Date.now() / 1000);
  const payload = { iat: now, exp: now + (opts.expiresIn ?? 3600), iss: opts.iss ?? 'nest-ms-api-gateway', aud: opts.aud ?? 'nest-ms-api', ...claims };
  const head = `${b64url({ alg, typ: 'JWT' })}.${b64url(payload)}`;
  if (alg === 'none') return `${head}.`;
  const hash = alg === 'HS256' ? 'sha256' : 'sha512';
  return `${head}.${createHmac(hash, opts.secret ?? TEST_JWT_SECRET).update(head).digest('base64url')}`;
}

export const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

/** The claims part of a token, unverified. */
export const claimsOf = (t: string): Record<string, unknown> => JSON.parse(Buffer.from(t.split('.')[1], 'base64url').toString('utf8'));
