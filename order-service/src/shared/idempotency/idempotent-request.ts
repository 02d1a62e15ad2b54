// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Caller } from '../auth/api-key.strategy';
import { pathOf } from '../http/request-id';
import { IDEMPOTENCY_KEY_HEADER, idempotencyScope, readIdempotencyKey, requestFingerprint } from './idempotency-key';
import type { IdempotencyClaim } from './idempotency-keys';

/** A request that carries an `Idempotency-Key`: its claim, the status its route answers, its reply. */
export interface KeyedRequest {
  readonly claim: IdempotencyClaim;
  /** The route's success status (`@HttpCode`, else 201 for a POST), stored with the answer. */
  readonly status: number;
  readonly reply: FastifyReply;
}

/**
 * The request's Idempotency-Key as a claim, or undefined when it sent none; a malformed key is a
 * 400 (InvalidIdempotencyKeyError) before the route does anything. Hand it to
 * IdempotentAnswers.once. A parameter, not an interceptor: Nest's interceptor chain costs every
 * request of the route, keyed or not, a few rxjs observables and two AsyncResource bindings.
 */
export const IdempotentRequest = createParamDecorator((_: unknown, ctx: ExecutionContext) => keyedRequestOf(ctx));

/** What `@IdempotentRequest()` reads from a request (its own function for the tests). */
export function keyedRequestOf(ctx: ExecutionContext): KeyedRequest | undefined {
  const http = ctx.switchToHttp();
  const req = http.getRequest<FastifyRequest & { caller?: Caller }>();
  const key = readIdempotencyKey(req.headers[IDEMPOTENCY_KEY_HEADER]);
  if (key === undefined) return undefined;
  const status = (Reflect.getMetadata(HTTP_CODE_METADATA, ctx.getHandler()) as number | undefined) ?? (req.method === 'POST' ? 201 : 200);
  return {
    claim: {
      scope: idempotencyScope(req.caller?.userId),
      key,
      // The path as called, ids included: one key must not cancel two orders.
      fingerprint: requestFingerprint(`${req.method} ${pathOf(req.url)}`, req.body),
    },
    status,
    reply: http.getResponse<FastifyReply>(),
  };
}
