// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { DatabaseEnv } from '../config/env';
import { durationSeconds } from '../config/duration';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { IdempotencyKeys } from './idempotency-keys';
import { IDEMPOTENCY_SETTINGS, IdempotencySettings, IdempotencySweeper } from './idempotency-sweeper';

/**
 * Imported by the feature module of each service that has `@Idempotent()` routes (its schema must
 * include IdempotencyKeys1764500000000).
 */
@Module({
  providers: [
    IdempotencyKeys,
    IdempotencyInterceptor,
    IdempotencySweeper,
    {
      provide: IDEMPOTENCY_SETTINGS,
      inject: [ConfigService],
      useFactory: (config: ConfigService<DatabaseEnv, true>): IdempotencySettings => ({
        retentionSeconds: durationSeconds(config.get('IDEMPOTENCY_KEY_RETENTION', { infer: true }), 'IDEMPOTENCY_KEY_RETENTION'),
      }),
    },
  ],
  exports: [IdempotencyKeys, IdempotencyInterceptor, IdempotencySweeper],
})
export class IdempotencyModule {}
