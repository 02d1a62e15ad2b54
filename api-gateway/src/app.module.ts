import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AuthModule } from './auth/auth.module';
import { validateEnv } from './config/env';
import { GatewayReadiness } from './health/readiness';
import { OrdersModule } from './orders/orders.module';
import { PaymentsModule } from './payments/payments.module';
import { healthModule } from './shared/observability/health';
import { loggerModule } from './shared/observability/logger.module';
import { MetricsModule } from './shared/observability/metrics';
import { ThrottlingModule } from './throttling/throttling.module';
import { UpstreamModule } from './upstream/upstream.module';
import { UsersModule } from './users/users.module';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, validate: validateEnv, ignoreEnvFile: true, cache: true }),
    loggerModule('api-gateway'),
    MetricsModule,
    healthModule(GatewayReadiness, [UpstreamModule]),
    // Guards run in this order: rate limit, then who (JWT), then may they (roles).
    ThrottlingModule,
    AuthModule,
    UsersModule,
    OrdersModule,
    PaymentsModule,
  ],
})
export class AppModule {}
