// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, Observable } from 'rxjs';
import type { Caller } from '../auth/api-key.strategy';
import { UnitOfWork } from '../database/unit-of-work';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, idempotencyScope, readIdempotencyKey, requestFingerprint } from './idempotency-key';
import { IdempotencyKeys } from './idempotency-keys';

type Outcome = { readonly replayed: true; readonly status: number; readonly body: unknown } | { readonly replayed: false; readonly body: unknown };

/**
 * Makes a creating route safe to retry with an `Idempotency-Key` header (applied by `@Idempotent()`).
 * Without the header nothing changes. With it, the whole request runs in one unit of work that
 * first claims the key (409 while another request holds it, 422 when it was used with another
 * body), then runs the route, whose own unit of work joins this one, and stores the answer in the
 * same transaction: the key, the rows and their outbox events commit together or not at all.
 * A request that fails (4xx or 5xx) rolls back and keeps no key: nothing was written, so a retry
 * with the same key simply runs again. The price: a keyed request holds one pooled connection
 * for its whole run (password hashing, user-service lookup) instead of only for its writes.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly keys: IdempotencyKeys,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<FastifyRequest & { caller?: Caller }>();
    const key = readIdempotencyKey(req.headers[IDEMPOTENCY_KEY_HEADER]);
    if (key === undefined) return next.handle();
    const res = http.getResponse<FastifyReply>();
    const status = (Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) as number | undefined) ?? (req.method === 'POST' ? 201 : 200);
    const claim = {
      scope: idempotencyScope(req.caller?.userId),
      key,
      fingerprint: requestFingerprint(`${req.method} ${req.routeOptions.url ?? req.url}`, req.body),
    };
    const run = this.unitOfWork.run(async (): Promise<Outcome> => {
      const stored = await this.keys.claim(claim);
      if (stored) return { replayed: true, status: stored.status, body: JSON.parse(stored.body) as unknown };
      const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
      await this.keys.record(claim, { status, body: JSON.stringify(body ?? null) });
      return { replayed: false, body };
    });
    return from(
      run.then((outcome) => {
        if (outcome.replayed) {
          void res.status(outcome.status).header(IDEMPOTENT_REPLAYED_HEADER, 'true');
        }
        return outcome.body;
      }),
    );
  }
}
