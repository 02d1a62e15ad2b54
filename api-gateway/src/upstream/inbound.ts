import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Context } from '@opentelemetry/api';
import type { IncomingMessage } from 'node:http';
import { requestIdOf } from '../shared/http/request-id';
import { requestTraceOf } from '../shared/observability/tracing';

/**
 * The client's request that a call to a service is made for: its id (sent as X-Request-Id) and its
 * trace context (the call's client span continues it). The gateway's active context does not
 * follow awaits (no AsyncLocalStorage: tracing.ts, asyncContext), so each handler hands this to
 * the calls it makes.
 */
export interface Inbound {
  readonly requestId: string;
  readonly trace?: Context;
}

export function inboundOf(req: IncomingMessage): Inbound {
  return { requestId: requestIdOf(req), trace: requestTraceOf(req) };
}

/** The current HTTP request as the calls it makes carry it. */
export const Inbound = createParamDecorator((_: unknown, ctx: ExecutionContext): Inbound =>
  inboundOf(ctx.switchToHttp().getRequest<{ raw: IncomingMessage }>().raw),
);
