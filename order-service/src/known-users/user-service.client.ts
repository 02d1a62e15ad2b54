import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { OrderServiceEnv } from '../config/env';
import { currentRequestId, REQUEST_ID_HEADER } from '../shared/context/origin';
import { DependencyUnavailableError } from '../shared/errors/domain-error';

export const USER_LOOKUP_TIMEOUT_MS = 2000;

export type RemoteUser = 'exists' | 'missing';

/** Asks user-service whether a user exists: GET /users/:id, two seconds at most. */
@Injectable()
export class UserServiceClient {
  private readonly baseUrl: string;
  private readonly apiKey: string | undefined;

  constructor(config: ConfigService<OrderServiceEnv, true>) {
    this.baseUrl = config.get('USER_SERVICE_URL', { infer: true }).replace(/\/+$/, '');
    this.apiKey = config.get('API_KEY', { infer: true }) || undefined;
  }

  /** Carries the request id of the request or event that asks, so both services log it. */
  async lookup(userId: string): Promise<RemoteUser> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const requestId = currentRequestId();
    if (requestId) headers[REQUEST_ID_HEADER] = requestId;
    if (this.apiKey) headers['x-api-key'] = this.apiKey;
    let status: number;
    try {
      // Node's global fetch (undici); the timeout covers the answer's headers and its body.
      const signal = AbortSignal.timeout(USER_LOOKUP_TIMEOUT_MS);
      const res = await fetch(`${this.baseUrl}/users/${encodeURIComponent(userId)}`, { headers, signal });
      status = res.status;
      await res.arrayBuffer();
    } catch (e) {
      // AbortSignal.timeout rejects with a DOMException named TimeoutError (no instanceof: realms differ).
      const name = (e as { name?: unknown } | null)?.name;
      const timedOut = name === 'TimeoutError' || name === 'AbortError';
      throw new DependencyUnavailableError(
        timedOut
          ? `user-service did not answer within ${USER_LOOKUP_TIMEOUT_MS / 1000} s; try again shortly`
          : 'user-service is unreachable; try again shortly',
      );
    }
    if (status >= 200 && status < 300) return 'exists';
    // 400: user-service only issues v4 uuids and refuses other ids; no such user can exist.
    if (status === 404 || status === 400) return 'missing';
    throw new DependencyUnavailableError(`user-service answered ${status}; try again shortly`);
  }
}
