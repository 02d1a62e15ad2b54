import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { GatewayEnv } from '../config/env';
import { UPSTREAM_OPTIONS, upstreamOptionsFrom } from '../config/upstreams';
import { UpstreamClient } from './upstream-client';

@Module({
  providers: [
    {
      provide: UPSTREAM_OPTIONS,
      inject: [ConfigService],
      useFactory: (config: ConfigService<GatewayEnv, true>) =>
        upstreamOptionsFrom({
          USER_SERVICE_URL: config.get('USER_SERVICE_URL', { infer: true }),
          ORDER_SERVICE_URL: config.get('ORDER_SERVICE_URL', { infer: true }),
          PAYMENT_SERVICE_URL: config.get('PAYMENT_SERVICE_URL', { infer: true }),
          UPSTREAM_TIMEOUT_MS: config.get('UPSTREAM_TIMEOUT_MS', { infer: true }),
          API_KEY: config.get('API_KEY', { infer: true }),
        }),
    },
    UpstreamClient,
  ],
  exports: [UpstreamClient],
})
export class UpstreamModule {}
