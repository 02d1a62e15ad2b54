import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerException, ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pathOf } from '../shared/http/request-id';
import { PROBE_PATHS } from '../shared/observability/probes';

/** Client addresses whose tracker is remembered; past it the oldest is forgotten first. */
export const REMEMBERED_TRACKERS = 10_000;

/**
 * @nestjs/throttler's guard with these changes: probes are never limited (Prometheus and the
 * orchestrator poll); every 429 carries a plain `Retry-After` in seconds (the library names it
 * `Retry-After-<throttler>` for named throttlers, which clients do not know), and the message says
 * when to come back; its keys are not hashed: they live in this process's memory
 * (WindowThrottlerStorage), where the library's SHA-256 of each key only cost time per request;
 * each address's tracker (the library's normal form: an IPv6 client counted by its subnet) is
 * worked out once: for every request and every throttler the library parsed the address anew
 * (`::ffff:127.0.0.1` through the IPv6 pattern), half of the limiter's CPU per request.
 */
@Injectable()
export class GatewayThrottlerGuard extends ThrottlerGuard {
  private readonly trackers = new Map<string, string>();

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const ip = req.ip;
    if (typeof ip !== 'string') return super.getTracker(req);
    let tracker = this.trackers.get(ip);
    if (tracker === undefined) {
      tracker = await super.getTracker(req);
      if (this.trackers.size >= REMEMBERED_TRACKERS) this.trackers.delete(this.trackers.keys().next().value as string);
      this.trackers.set(ip, tracker);
    }
    return tracker;
  }

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
