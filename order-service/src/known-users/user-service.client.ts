import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { OrderServiceEnv } from '../config/env';
import { currentRequestId, REQUEST_ID_HEADER } from '../shared/context/origin';
import { DependencyUnavailableError } from '../shared/errors/domain-error';

export const USER_LOOKUP_TIMEOUT_MS = 2000;

export type RemoteUser = 'exists' | 'missing';

/** One instance's answer, or why there was none worth believing. */
type Attempt = { status: number } | { failure: 'unreachable' | 'timeout' };

/**
 * Asks user-service whether a user exists: GET /users/:id, two seconds at most in all.
 * With several instances (USER_SERVICE_URL as a list) each lookup starts at the next one, and a
 * lookup another instance could answer moves on: the instance refused the connection or answered
 * 503 (stopping, or its database down). A GET changes nothing, so asking again is always safe.
 */
@Injectable()
export class UserServiceClient {
  private readonly baseUrls: readonly string[];
  private readonly apiKey: string | undefined;
  private next = 0;

  constructor(config: ConfigService<OrderServiceEnv, true>) {
    const urls = config.get('USER_SERVICE_URL', { infer: true });
    this.baseUrls = (typeof urls === 'string' ? [urls] : urls).map((url) => url.replace(/\/+$/, ''));
    this.apiKey = config.get('API_KEY', { infer: true }) || undefined;
  }

  /** Carries the request id of the request or event that asks, so both services log it. */
  async lookup(userId: string): Promise<RemoteUser> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const requestId = currentRequestId();
    if (requestId) headers[REQUEST_ID_HEADER] = requestId;
    if (this.apiKey) headers['x-api-key'] = this.apiKey;
    // Node's global fetch (undici); the deadline covers every instance asked, headers and bodies.
    const signal = AbortSignal.timeout(USER_LOOKUP_TIMEOUT_MS);
    const first = this.next++ % this.baseUrls.length;
    let attempt: Attempt = { failure: 'unreachable' };
    for (let i = 0; i < this.baseUrls.length; i++) {
      const baseUrl = this.baseUrls[(first + i) % this.baseUrls.length];
      attempt = await ask(`${baseUrl}/users/${encodeURIComponent(userId)}`, headers, signal);
      const anotherMightAnswer = 'failure' in attempt ? attempt.failure === 'unreachable' : attempt.status === 503;
      if (!anotherMightAnswer) break;
    }
    if ('failure' in attempt) {
      throw new DependencyUnavailableError(
        attempt.failure === 'timeout'
          ? `user-service did not answer within ${USER_LOOKUP_TIMEOUT_MS / 1000} s; try again shortly`
          : 'user-service is unreachable; try again shortly',
      );
    }
    const { status } = attempt;
    if (status >= 200 && status < 300) return 'exists';
    // 400: user-service only issues v4 uuids and refuses other ids; no such user can exist.
    if (status === 404 || status === 400) return 'missing';
    throw new DependencyUnavailableError(`user-service answered ${status}; try again shortly`);
  }
}

async function ask(url: string, headers: Record<string, string>, signal: AbortSignal): Promise<Attempt> {
  try {
    const res = await fetch(url, { headers, signal });
    await res.arrayBuffer();
    return { status: res.status };
  } catch (e) {
    // AbortSignal.timeout rejects with a DOMException named TimeoutError (no instanceof: realms differ).
    const name = (e as { name?: unknown } | null)?.name;
    return { failure: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'unreachable' };
  }
}
