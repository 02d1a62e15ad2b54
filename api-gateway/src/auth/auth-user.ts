import type { Role } from '../shared/events/contracts';

/** Who a valid token of a live session is calling for: `sub` and `sid` of the JWT, and the user's roles now. */
export interface AuthUser {
  readonly id: string;
  readonly roles: readonly Role[];
  readonly sessionId: string;
}

/** What the gateway signs. `iss` and `aud` pin tokens to this API; `sid` ties the token to its session. */
export interface TokenClaims {
  readonly sub: string;
  readonly roles: readonly Role[];
  readonly sid: string;
}

export const TOKEN_ISSUER = 'nest-ms-api-gateway';
export const TOKEN_AUDIENCE = 'nest-ms-api';
/** Pinned: `alg: none`, RS256-with-the-secret-as-public-key and the like are refused. */
export const TOKEN_ALGORITHM = 'HS256';

