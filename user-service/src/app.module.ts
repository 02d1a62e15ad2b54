import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AdminModule } from './admin/admin.module';
import { AuthModule } from './auth/auth.module';
import { validateEnv } from './config/env';
import { DatabaseModule } from './database/database.module';
import { UserServiceReadiness } from './health/readiness';
import { KafkaModule } from './shared/kafka/kafka.module';
import { healthModule } from './shared/observability/health';
import { loggerModule } from './shared/observability/logger.module';
import { MetricsModule } from './shared/observability/metrics';
import { OutboxModule } from './shared/outbox/outbox.module';
import { UsersModule } from './users/users.module';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, validate: validateEnv, ignoreEnvFile: true, cache: true }),
    loggerModule('user-service'),
    DatabaseModule,
    KafkaModule,
    OutboxModule,
    MetricsModule,
    healthModule(UserServiceReadiness),
    UsersModule,
    AuthModule,
    AdminModule,
  ],
})
export class AppModule {}
