import type { GatewayEnv } from '../config/env';
import { authEnabled, expirationSeconds } from '../config/env';
import { durationSeconds } from '../shared/config/duration';

/** The gateway's authentication, read once from the environment. */
export interface AuthSettings {
  /** Tokens required on the API (AUTH_ENABLED, default on in production only). */
  readonly enabled: boolean;
  readonly jwtSecret: string;
  readonly expiresInSeconds: number;
  /** How long one answer about a session is trusted (SESSION_CHECK_TTL): how late a revocation may bite. */
  readonly sessionCheckTtlMs: number;
}

export const AUTH_SETTINGS = Symbol('AUTH_SETTINGS');

export function authSettingsFrom(
  env: Pick<GatewayEnv, 'AUTH_ENABLED' | 'NODE_ENV' | 'JWT_SECRET' | 'JWT_EXPIRATION'> & Partial<Pick<GatewayEnv, 'SESSION_CHECK_TTL'>>,
): AuthSettings {
  return {
    enabled: authEnabled(env),
    jwtSecret: env.JWT_SECRET,
    expiresInSeconds: expirationSeconds(env.JWT_EXPIRATION),
    sessionCheckTtlMs: durationSeconds(env.SESSION_CHECK_TTL ?? '4s', 'SESSION_CHECK_TTL') * 1000,
  };
}
