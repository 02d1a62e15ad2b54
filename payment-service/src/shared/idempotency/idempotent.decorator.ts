// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { applyDecorators, UseInterceptors } from '@nestjs/common';
import { ApiIdempotencyKey } from './idempotency-docs';
import { IdempotencyInterceptor } from './idempotency.interceptor';

/**
 * A creating route that takes an `Idempotency-Key` (see IdempotencyInterceptor). Its module
 * imports IdempotencyModule; its success answer documents IDEMPOTENT_REPLAYED_RESPONSE_HEADER and
 * its 409/422 descriptions IDEMPOTENCY_CONFLICT / IDEMPOTENCY_KEY_REUSED.
 */
export const Idempotent = (): MethodDecorator => applyDecorators(UseInterceptors(IdempotencyInterceptor), ApiIdempotencyKey());
