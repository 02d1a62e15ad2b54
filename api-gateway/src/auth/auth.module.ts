import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import type { GatewayEnv } from '../config/env';
import { UpstreamModule } from '../upstream/upstream.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { SessionCheck } from './session-check';
import { SessionsController } from './sessions.controller';
import { AUTH_SETTINGS, authSettingsFrom } from './auth.settings';
import { JwtAuthGuard } from './jwt-auth.guard';
import { RolesGuard } from './roles.guard';

/**
 * Login, sign-up, and the two global guards: JwtAuthGuard (who) then RolesGuard (may they).
 * The throttler guard is registered before this module, so floods are refused before any work.
 */
@Global()
@Module({
  imports: [JwtModule.register({}), UpstreamModule],
  controllers: [AuthController, SessionsController],
  providers: [
    {
      provide: AUTH_SETTINGS,
      inject: [ConfigService],
      useFactory: (config: ConfigService<GatewayEnv, true>) =>
        authSettingsFrom({
          AUTH_ENABLED: config.get('AUTH_ENABLED', { infer: true }),
          NODE_ENV: config.get('NODE_ENV', { infer: true }),
          JWT_SECRET: config.get('JWT_SECRET', { infer: true }),
          JWT_EXPIRATION: config.get('JWT_EXPIRATION', { infer: true }),
          SESSION_CHECK_TTL: config.get('SESSION_CHECK_TTL', { infer: true }),
        }),
    },
    AuthService,
    SessionCheck,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [AUTH_SETTINGS],
})
export class AuthModule {}
