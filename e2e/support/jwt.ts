import { createHmac } from 'node:crypto';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs a token by hand (HS256 or `alg: none`), to forge what the gateway must refuse. */
export function forgeToken(claims: Record<string, unknown>, secret: string, opts: { alg?: 'HS256' | 'none'; expiresIn?: number } = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = { iat: now, exp: now + (opts.expiresIn ?? 3600), iss: 'nest-ms-api-gateway', aud: 'nest-ms-api', ...claims };
  const head = `${b64url({ alg: opts.alg ?? 'HS256', typ: 'JWT' })}.${b64url(payload)}`;
  if (opts.alg === 'none') return `${head}.`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}
