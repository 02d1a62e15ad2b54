// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '../database/unit-of-work';
import { IDEMPOTENT_REPLAYED_HEADER } from './idempotency-key';
import { IdempotencyKeys } from './idempotency-keys';
import type { KeyedRequest } from './idempotent-request';

type Outcome<T> = { readonly replayed: true; readonly status: number; readonly body: T } | { readonly replayed: false; readonly body: T };

/**
 * Makes a write route safe to retry with an `Idempotency-Key` header: its handler passes its
 * `@IdempotentRequest()` and the work to `once`. Without the header the work simply runs. With it,
 * the whole request runs in one unit of work that first claims the key (409 while another request
 * holds it, 422 when it was used with another body), then does the work, whose own unit of work
 * joins this one, and stores the answer in the same transaction: the key, the rows and their outbox
 * events commit together or not at all. Work that fails (4xx or 5xx) rolls back and keeps no key:
 * nothing was written, so a retry with the same key simply runs again. The price: a keyed request
 * holds one pooled connection for its whole work (password hashing, user-service lookup) instead
 * of only for its writes.
 */
@Injectable()
export class IdempotentAnswers {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly keys: IdempotencyKeys,
  ) {}

  /**
   * The work's answer, or, for a key seen before with the same body, the stored answer of its first
   * request: the same route's answer, as JSON gave it back, with its status and
   * `Idempotent-Replayed: true` set on the reply.
   */
  async once<T>(request: KeyedRequest | undefined, work: () => Promise<T>): Promise<T> {
    if (request === undefined) return work();
    const { claim, status } = request;
    const outcome = await this.unitOfWork.run(async (): Promise<Outcome<T>> => {
      const stored = await this.keys.claim(claim);
      if (stored) return { replayed: true, status: stored.status, body: JSON.parse(stored.body) as T };
      const body = await work();
      await this.keys.record(claim, { status, body: JSON.stringify(body ?? null) });
      return { replayed: false, body };
    });
    if (outcome.replayed) void request.reply.status(outcome.status).header(IDEMPOTENT_REPLAYED_HEADER, 'true');
    return outcome.body;
  }
}
