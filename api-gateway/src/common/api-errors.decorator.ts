import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import type { Upstream } from '../config/upstreams';
import { ErrorResponseDto } from '../shared/dto/error-response';
import { IDEMPOTENCY_CONFLICT, IDEMPOTENCY_KEY_REUSED } from '../shared/idempotency/idempotency-docs';

/** Errors a route can answer besides the ones every route has (502/503/504 from the service). */
export type ClientErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422;

const CLIENT_ERRORS: Record<ClientErrorStatus, { description: string; message: string | string[] }> = {
  400: { description: 'Invalid input: malformed JSON, a failing field, an unknown field or a non-uuid id', message: ['items.0.price must be a JSON number such as 29.99, not a string'] },
  401: { description: 'No valid bearer token (with AUTH_ENABLED), or a wrong email/password at login', message: 'missing or invalid bearer token' },
  403: { description: 'The token\'s user may not do this (another user\'s data, or an admin-only route)', message: 'you may only read and change your own user' },
  404: { description: 'No such resource', message: 'user 8a6f2c1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b not found' },
  409: { description: 'Conflicts with what is stored (e.g. the email is taken)', message: 'a user with email john@example.com already exists' },
  413: { description: 'Request body over 1 MB', message: 'request body larger than 1 MB' },
  415: { description: 'A body that is not JSON (Content-Type must be application/json)', message: 'Content-Type must be application/json' },
  422: { description: 'Well-formed but refused by the business rules', message: 'user 8a6f2c1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b cannot order' },
};

function errorResponse(status: number, description: string, message: string | string[]) {
  return ApiResponse({
    status,
    description,
    type: ErrorResponseDto,
    example: { statusCode: status, message, error: STATUS_CODES[status], requestId: '8a6f2c1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b' },
  });
}

/** Documents a forwarded route's error answers, all with the `{statusCode, message, error, requestId}` body. */
export function ApiErrors(upstream: Upstream, ...statuses: ClientErrorStatus[]): MethodDecorator & ClassDecorator {
  return errorsOf(upstream, statuses, {});
}

/** ApiErrors of a route taking an Idempotency-Key: its 400, 409 and 422 have one more meaning each. */
export function ApiKeyedErrors(upstream: Upstream, ...statuses: ClientErrorStatus[]): MethodDecorator & ClassDecorator {
  const keyed = [...new Set<ClientErrorStatus>([...statuses, 400, 409, 422])].sort((a, b) => a - b);
  return errorsOf(upstream, keyed, {
    400: 'or an invalid Idempotency-Key',
    409: `or ${IDEMPOTENCY_CONFLICT}`,
    422: `or ${IDEMPOTENCY_KEY_REUSED}`,
  });
}

function errorsOf(
  upstream: Upstream,
  statuses: readonly ClientErrorStatus[],
  also: Partial<Record<ClientErrorStatus, string>>,
): MethodDecorator & ClassDecorator {
  const described = (s: ClientErrorStatus) => (also[s] ? `${CLIENT_ERRORS[s].description}; ${also[s]}` : CLIENT_ERRORS[s].description);
  return applyDecorators(
    ...statuses.map((s) => errorResponse(s, described(s), CLIENT_ERRORS[s].message)),
    errorResponse(429, 'Too many requests from this client; see Retry-After (seconds)', 'too many requests: retry in 7 s'),
    errorResponse(502, `${upstream} failed (a 5xx other than 503, or an unusable answer)`, `${upstream} failed to answer the request (HTTP 500)`),
    errorResponse(503, `${upstream} is down, or says it cannot serve now`, `${upstream} unavailable`),
    errorResponse(504, `${upstream} did not answer within UPSTREAM_TIMEOUT_MS`, `${upstream} did not answer within 5000 ms`),
  );
}
