// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { REQUEST_ID_HEADER } from '../context/origin';

export { REQUEST_ID_HEADER };
const ACCEPTABLE = /^[\w.:-]{1,128}$/;

/**
 * Keeps a caller's request id when it is sane, otherwise makes one; echoes it in the response.
 * Fastify asks first (its genReqId, so its request id, the access log's and ours are one).
 */
export function requestIdOf(req: IncomingMessage, res?: ServerResponse): string {
  let id = (req as IncomingMessage & { id?: unknown }).id;
  if (typeof id !== 'string') {
    const given = req.headers[REQUEST_ID_HEADER];
    id = typeof given === 'string' && ACCEPTABLE.test(given) ? given : randomUUID();
    (req as IncomingMessage & { id?: string }).id = id;
  }
  if (res && !res.headersSent && !res.hasHeader('X-Request-Id')) res.setHeader('X-Request-Id', id as string);
  return id as string;
}

/** A request URL's path, without its query string. */
export function pathOf(url: string | undefined): string {
  const path = url ?? '/';
  const query = path.indexOf('?');
  return query === -1 ? path : path.slice(0, query);
}

/** The current HTTP request's id, for passing into the events the request causes. */
export const RequestId = createParamDecorator((_: unknown, ctx: ExecutionContext): string =>
  requestIdOf(ctx.switchToHttp().getRequest<{ raw: IncomingMessage }>().raw),
);
