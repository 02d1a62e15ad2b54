import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { validateEnv } from './config/env';
import { DatabaseModule } from './database/database.module';
import { OrderServiceReadiness } from './health/readiness';
import { OrdersModule } from './orders/orders.module';
import { PaymentsModule } from './payments/payments.module';
import { KafkaModule } from './shared/kafka/kafka.module';
import { healthModule } from './shared/observability/health';
import { loggerModule } from './shared/observability/logger.module';
import { MetricsModule } from './shared/observability/metrics';
import { OutboxModule } from './shared/outbox/outbox.module';
import { UsersModule } from './users/users.module';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, validate: validateEnv, ignoreEnvFile: true, cache: true }),
    loggerModule('order-service'),
    DatabaseModule,
    KafkaModule,
    OutboxModule,
    MetricsModule,
    healthModule(OrderServiceReadiness),
    OrdersModule,
    UsersModule,
    PaymentsModule,
  ],
})
export class AppModule {}
