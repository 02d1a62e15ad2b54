import type { FastifyReply } from 'fastify';
import { TOTAL_COUNT_HEADER } from '../shared/http/pagination';
import { IDEMPOTENT_REPLAYED_HEADER } from '../shared/idempotency/idempotency-key';
import type { UpstreamReply } from './upstream-client';

/**
 * Hands a service's answer to the client unchanged: its status, its X-Total-Count, its
 * Idempotent-Replayed and its JSON body, as the text the service sent (checked to be JSON, not
 * serialized a second time). For handlers using `@Res({ passthrough: true })`, so Nest still writes the body.
 */
export async function relay(res: FastifyReply, pending: UpstreamReply | Promise<UpstreamReply>): Promise<unknown> {
  const reply = await pending;
  void res.status(reply.status);
  if (reply.totalCount !== undefined) void res.header(TOTAL_COUNT_HEADER, reply.totalCount);
  if (reply.replayed) void res.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
  if (reply.json !== undefined) {
    // Fastify sends a string under a JSON Content-Type as it is.
    void res.type('application/json');
    return reply.json;
  }
  if (reply.body === undefined || (typeof reply.body === 'object' && reply.body !== null)) return reply.body;
  // A bare JSON value (string, number, null): Nest would send it as text, so keep it JSON here.
  void res.type('application/json');
  return JSON.stringify(reply.body);
}
