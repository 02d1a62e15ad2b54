import type { GatewayEnv } from '../config/env';
import { authEnabled, expirationSeconds } from '../config/env';

/** The gateway's authentication, read once from the environment. */
export interface AuthSettings {
  /** Tokens required on the API (AUTH_ENABLED, default on in production only). */
  readonly enabled: boolean;
  readonly jwtSecret: string;
  readonly expiresInSeconds: number;
}

export const AUTH_SETTINGS = Symbol('AUTH_SETTINGS');

export function authSettingsFrom(env: Pick<GatewayEnv, 'AUTH_ENABLED' | 'NODE_ENV' | 'JWT_SECRET' | 'JWT_EXPIRATION'>): AuthSettings {
  return { enabled: authEnabled(env), jwtSecret: env.JWT_SECRET, expiresInSeconds: expirationSeconds(env.JWT_EXPIRATION) };
}
