import type { Role } from '../shared/events/contracts';

/** Who a valid token says is calling: `sub` and `roles` of the JWT. */
export interface AuthUser {
  readonly id: string;
  readonly roles: readonly Role[];
}

/** What the gateway signs. `iss` and `aud` pin tokens to this API. */
export interface TokenClaims {
  readonly sub: string;
  readonly roles: readonly Role[];
}

export const TOKEN_ISSUER = 'nest-ms-api-gateway';
export const TOKEN_AUDIENCE = 'nest-ms-api';
/** Pinned: `alg: none`, RS256-with-the-secret-as-public-key and the like are refused. */
export const TOKEN_ALGORITHM = 'HS256';

