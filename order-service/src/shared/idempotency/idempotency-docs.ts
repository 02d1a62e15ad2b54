// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { ApiHeader } from '@nestjs/swagger';
import type { HeadersObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { IDEMPOTENCY_KEY_MAX_LENGTH, IDEMPOTENCY_KEY_PATTERN_SOURCE } from './idempotency-key';

/** The `Idempotency-Key` request header of a creating route, for Swagger (gateway and services alike). */
export const ApiIdempotencyKey = (): MethodDecorator & ClassDecorator =>
  ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Makes the request safe to retry: the first request with a key is processed once; a later one with the same key and ' +
      'the same body (from the same user, or from any anonymous client) gets the same status and body back, with ' +
      '`Idempotent-Replayed: true`, for at least IDEMPOTENCY_KEY_RETENTION (24h). The same key with another body: 422; ' +
      'while the first request is still running: 409. 1 to 255 visible ASCII characters (a UUID v4 is a good choice).',
    schema: { type: 'string', minLength: 1, maxLength: IDEMPOTENCY_KEY_MAX_LENGTH, pattern: IDEMPOTENCY_KEY_PATTERN_SOURCE },
  });

/** The `headers` of a keyed route's success answer. */
export const IDEMPOTENT_REPLAYED_RESPONSE_HEADER: HeadersObject = {
  'Idempotent-Replayed': {
    description: 'Present, and `true`, when this is the stored answer of an earlier request with the same Idempotency-Key',
    schema: { type: 'string', enum: ['true'] },
  },
};

/** What a keyed route's 409 and 422 answers may also mean. */
export const IDEMPOTENCY_CONFLICT = 'a request with the same Idempotency-Key is still being processed';
export const IDEMPOTENCY_KEY_REUSED = 'the Idempotency-Key was already used with a different body or path';
