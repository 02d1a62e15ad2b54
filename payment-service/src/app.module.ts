import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { validateEnv } from './config/env';
import { DatabaseModule } from './database/database.module';
import { PaymentServiceReadiness } from './health/readiness';
import { PaymentsModule } from './payments/payments.module';
import { KafkaModule } from './shared/kafka/kafka.module';
import { healthModule } from './shared/observability/health';
import { loggerModule } from './shared/observability/logger.module';
import { MetricsModule } from './shared/observability/metrics';
import { OutboxModule } from './shared/outbox/outbox.module';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, validate: validateEnv, ignoreEnvFile: true, cache: true }),
    loggerModule('payment-service'),
    DatabaseModule,
    KafkaModule,
    OutboxModule,
    MetricsModule,
    healthModule(PaymentServiceReadiness),
    PaymentsModule,
  ],
})
export class AppModule {}
