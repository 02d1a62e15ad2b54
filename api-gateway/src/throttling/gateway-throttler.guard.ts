import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerException, ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pathOf } from '../shared/http/request-id';
import { PROBE_PATHS } from '../shared/observability/probes';

/**
 * @nestjs/throttler's guard with three changes: probes are never limited (Prometheus and the
 * orchestrator poll), every 429 carries a plain `Retry-After` in seconds (the library names it
 * `Retry-After-<throttler>` for named throttlers, which clients do not know), and the message says
 * when to come back. Its keys are not hashed: they live in this process's memory
 * (WindowThrottlerStorage), where the library's SHA-256 of each key only cost time per request.
 */
@Injectable()
export class GatewayThrottlerGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    return PROBE_PATHS.includes(pathOf(context.switchToHttp().getRequest<FastifyRequest>().url));
  }

  protected override generateKey(context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${context.getClass().name}-${context.getHandler().name}-${throttlerName}-${tracker}`;
  }

  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const retryAfter = Math.max(1, Math.ceil(detail.timeToBlockExpire));
    void context.switchToHttp().getResponse<FastifyReply>().header('Retry-After', String(retryAfter));
    throw new ThrottlerException(`too many requests: retry in ${retryAfter} s`);
  }
}
