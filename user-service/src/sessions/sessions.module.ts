import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { UserServiceEnv } from '../config/env';
import { durationSeconds } from '../shared/config/duration';
import { SESSION_SETTINGS, SessionSettings, SessionsService } from './sessions.service';

@Module({
  providers: [
    SessionsService,
    {
      provide: SESSION_SETTINGS,
      inject: [ConfigService],
      useFactory: (config: ConfigService<UserServiceEnv, true>): SessionSettings => ({
        refreshTtlSeconds: durationSeconds(config.get('REFRESH_TOKEN_TTL', { infer: true }), 'REFRESH_TOKEN_TTL'),
      }),
    },
  ],
  exports: [SessionsService],
})
export class SessionsModule {}
