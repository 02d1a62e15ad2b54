// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import type { IncomingHttpHeaders } from 'node:http';
import { Role, ROLES } from '../events/contracts';
import { API_KEY_HEADER, sameSecret, SESSION_ID_HEADER, USER_ID_HEADER, USER_ROLES_HEADER } from './api-key';

/** Who is calling a service: always the gateway (or a tool holding the key), maybe for a user. */
export interface Caller {
  /** The user the gateway authenticated, when it did (only with AUTH_ENABLED). */
  readonly userId?: string;
  readonly roles: readonly Role[];
  /** The session of the user's token. */
  readonly sessionId?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Authenticates a service-to-service request by its X-API-Key (the passport "strategy" of the
 * services, without passport: one header compare needs none of its machinery, and shared/ must
 * compile in every app with the dependencies it already has).
 * - Key configured: a missing or wrong key is refused (null); with the right key, the forwarded
 *   identity headers are believed, and the service limits the caller to that user's data.
 * - No key configured (development only: production refuses to start without one): the headers
 *   are believed as they come. Anyone who reaches the service could read everything anyway, and
 *   the gateway's users (with AUTH_ENABLED) still see only their own data.
 */
export class ApiKeyStrategy {
  private readonly expected: string | undefined;

  constructor(expected: string | undefined) {
    this.expected = expected === '' ? undefined : expected;
  }

  get enabled(): boolean {
    return this.expected !== undefined;
  }

  authenticate(headers: IncomingHttpHeaders): Caller | null {
    if (this.expected === undefined) return forwardedCaller(headers);
    if (!sameSecret(single(headers[API_KEY_HEADER]), this.expected)) return null;
    return forwardedCaller(headers);
  }
}

/** The X-User-Id / X-User-Roles the gateway set; malformed values count as absent. */
export function forwardedCaller(headers: IncomingHttpHeaders): Caller {
  const id = single(headers[USER_ID_HEADER]);
  const roles = (single(headers[USER_ROLES_HEADER]) ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter((r): r is Role => (ROLES as readonly string[]).includes(r));
  if (id === undefined || !UUID.test(id)) return { roles: [] };
  const session = single(headers[SESSION_ID_HEADER]);
  const sessionId = session !== undefined && UUID.test(session) ? session.toLowerCase() : undefined;
  return { userId: id.toLowerCase(), roles: [...new Set(roles)], ...(sessionId ? { sessionId } : {}) };
}

const single = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);
