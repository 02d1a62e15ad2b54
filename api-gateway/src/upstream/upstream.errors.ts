import { BadGatewayException, GatewayTimeoutException, ServiceUnavailableException } from '@nestjs/common';
import type { Upstream } from '../config/upstreams';

/*
 * The gateway is the HTTP edge and nothing else (no Kafka handlers, no domain), so its failures
 * are HTTP exceptions: the shared AllExceptionsFilter turns them into
 * `{ statusCode, message, error, requestId }`. DomainError has no kind for 502/504 (yet).
 */

/** Connection refused, reset or closed before an answer: the service is down or restarting. */
export class UpstreamUnavailableError extends ServiceUnavailableException {
  /**
   * @param nothingSent the connection never carried the request (refused, connect timeout): the
   *   instance cannot have acted on it, so any request may go to another one
   */
  constructor(
    upstream: Upstream,
    cause?: unknown,
    readonly nothingSent = false,
  ) {
    super(`${upstream} unavailable`, { cause });
  }
}

/** No complete answer within UPSTREAM_TIMEOUT_MS. */
export class UpstreamTimeoutError extends GatewayTimeoutException {
  constructor(upstream: Upstream, timeoutMs: number) {
    super(`${upstream} did not answer within ${timeoutMs} ms`);
  }
}

/**
 * The service answered, but not with something a client can use: a 5xx other than 503 (its
 * details stay in its own log), a body that is not JSON, or an oversized body.
 */
export class UpstreamBadResponseError extends BadGatewayException {
  constructor(upstream: Upstream, what: string, cause?: unknown) {
    super(`${upstream} failed to answer the request (${what})`, { cause });
  }
}
