import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type { GatewayEnv } from '../config/env';
import { AUTH_RATE_LIMITED } from './auth-rate-limit.decorator';
import { GatewayThrottlerGuard } from './gateway-throttler.guard';
import { WindowThrottlerStorage } from './window-storage';

/**
 * Per client IP, in this process's memory (several gateway instances each count their own):
 * - `default`: THROTTLE_LIMIT requests per THROTTLE_TTL_MS on every route, per route;
 * - `auth`: THROTTLE_AUTH_LIMIT per THROTTLE_AUTH_TTL_MS on routes marked @AuthRateLimit()
 *   (login, register), against password guessing and sign-up floods.
 * Tests and benchmarks raise them through the environment. Counted in fixed windows
 * (WindowThrottlerStorage): constant work per request whatever the limit.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [ConfigService, Reflector],
      useFactory: (config: ConfigService<GatewayEnv, true>, reflector: Reflector) => ({
        storage: new WindowThrottlerStorage(),
        throttlers: [
          { name: 'default', limit: config.get('THROTTLE_LIMIT', { infer: true }), ttl: config.get('THROTTLE_TTL_MS', { infer: true }) },
          {
            name: 'auth',
            limit: config.get('THROTTLE_AUTH_LIMIT', { infer: true }),
            ttl: config.get('THROTTLE_AUTH_TTL_MS', { infer: true }),
            skipIf: (ctx) => !reflector.getAllAndOverride<boolean>(AUTH_RATE_LIMITED, [ctx.getHandler(), ctx.getClass()]),
          },
        ],
      }),
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: GatewayThrottlerGuard }],
})
export class ThrottlingModule {}
