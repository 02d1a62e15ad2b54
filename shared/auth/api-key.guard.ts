// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { pathOf } from '../http/request-id';
import { PROBE_PATHS } from '../observability/probes';
import { ApiKeyStrategy, Caller } from './api-key.strategy';


export type RequestWithCaller = { url: string; headers: IncomingHttpHeaders; caller?: Caller };

/**
 * A service's door: with API_KEY set, every HTTP route but the probes needs the right X-API-Key
 * (401 otherwise). Installed for every service by configureApp; Kafka handlers are not HTTP and
 * pass. The caller (with the identity the gateway forwarded) is left on `req.caller`.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly strategy: ApiKeyStrategy) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<RequestWithCaller>();
    // Probes answer without a key: the orchestrator and Prometheus hold none.
    if (PROBE_PATHS.includes(pathOf(req.url))) return true;
    const caller = this.strategy.authenticate(req.headers);
    if (!caller) throw new UnauthorizedException('missing or wrong X-API-Key');
    req.caller = caller;
    return true;
  }
}
