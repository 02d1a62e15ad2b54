// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { DatabaseEnv } from '../config/env';
import { durationSeconds } from '../config/duration';
import { IdempotencyKeys } from './idempotency-keys';
import { IdempotentAnswers } from './idempotent-answers';
import { IDEMPOTENCY_SETTINGS, IdempotencySettings, IdempotencySweeper } from './idempotency-sweeper';

/**
 * Imported by the feature module of each service whose routes take an `Idempotency-Key`
 * (IdempotentAnswers; its schema must include IdempotencyKeys1764500000000).
 */
@Module({
  providers: [
    IdempotencyKeys,
    IdempotentAnswers,
    IdempotencySweeper,
    {
      provide: IDEMPOTENCY_SETTINGS,
      inject: [ConfigService],
      useFactory: (config: ConfigService<DatabaseEnv, true>): IdempotencySettings => ({
        retentionSeconds: durationSeconds(config.get('IDEMPOTENCY_KEY_RETENTION', { infer: true }), 'IDEMPOTENCY_KEY_RETENTION'),
      }),
    },
  ],
  exports: [IdempotencyKeys, IdempotentAnswers, IdempotencySweeper],
})
export class IdempotencyModule {}
