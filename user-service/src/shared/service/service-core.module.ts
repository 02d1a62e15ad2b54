// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { DatabaseModule } from '../database/database.module';
import { KafkaModule } from '../kafka/kafka.module';
import { healthModule } from '../observability/health';
import { loggerModule } from '../observability/logger.module';
import { MetricsModule } from '../observability/metrics';
import { OutboxModule } from '../outbox/outbox.module';
import { SERVICE_DEFINITION, ServiceDefinition } from './definition';
import { ServiceReadiness } from './readiness';

/**
 * Everything a service runs on, the same in each: validated configuration, logs, its database and
 * unit of work, Kafka (producer, consumer framework, dead letters), the outbox, metrics and health.
 * A service's AppModule imports this and its own feature modules.
 */
@Module({})
export class ServiceCoreModule {
  static forService(service: ServiceDefinition): DynamicModule {
    const definition = { provide: SERVICE_DEFINITION, useValue: service };
    return {
      module: ServiceCoreModule,
      global: true,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, validate: service.validateEnv, ignoreEnvFile: true, cache: true }),
        loggerModule(service.name),
        DatabaseModule.forService(service.schema),
        KafkaModule,
        OutboxModule,
        MetricsModule,
        healthModule(ServiceReadiness, [], [definition]),
      ],
      providers: [definition],
      exports: [definition],
    };
  }
}
