// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { REQUEST_ID_HEADER } from '../context/origin';

export { REQUEST_ID_HEADER };
const ACCEPTABLE = /^[\w.:-]{1,128}$/;

/** Keeps a caller's request id when it is sane, otherwise makes one; echoes it in the response. */
export function requestIdOf(req: IncomingMessage, res?: ServerResponse): string {
  const cached = (req as IncomingMessage & { id?: unknown }).id;
  if (typeof cached === 'string') return cached;
  const given = req.headers[REQUEST_ID_HEADER];
  const id = typeof given === 'string' && ACCEPTABLE.test(given) ? given : randomUUID();
  (req as IncomingMessage & { id?: string }).id = id;
  res?.setHeader('X-Request-Id', id);
  return id;
}

/** The current HTTP request's id, for passing into the events the request causes. */
export const RequestId = createParamDecorator((_: unknown, ctx: ExecutionContext): string =>
  requestIdOf(ctx.switchToHttp().getRequest<IncomingMessage>()),
);
