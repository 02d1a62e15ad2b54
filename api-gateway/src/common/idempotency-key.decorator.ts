import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { IDEMPOTENCY_KEY_HEADER, readIdempotencyKey } from '../shared/idempotency/idempotency-key';

/**
 * The request's Idempotency-Key, checked here at the edge (a bad one is a 400 naming it, before a
 * service is asked), or undefined. The service holding the write does the rest.
 */
export const IdempotencyKey = createParamDecorator((_: unknown, ctx: ExecutionContext): string | undefined =>
  readIdempotencyKey(ctx.switchToHttp().getRequest<FastifyRequest>().headers[IDEMPOTENCY_KEY_HEADER]),
);
