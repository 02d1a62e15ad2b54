// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorFunction, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { ConsumerGroupMonitor } from '../kafka/consumer-group-monitor';
import { KafkaHealthIndicator } from '../kafka/kafka-health';
import { ReadinessChecks } from '../observability/health';
import { SERVICE_DEFINITION, ServiceDefinition } from './definition';

/**
 * Ready = its PostgreSQL answers, the Kafka broker answers and, for a service with event handlers,
 * its consumer has joined its group. Other services are not part of it: a service keeps serving
 * what it can while another is down.
 */
@Injectable()
export class ServiceReadiness extends ReadinessChecks {
  constructor(
    private readonly db: TypeOrmHealthIndicator,
    private readonly kafka: KafkaHealthIndicator,
    private readonly consumer: ConsumerGroupMonitor,
    @Inject(SERVICE_DEFINITION) private readonly service: ServiceDefinition,
  ) {
    super();
  }

  checks(): HealthIndicatorFunction[] {
    const checks: HealthIndicatorFunction[] = [() => this.db.pingCheck('database', { timeout: 1500 }), () => this.kafka.check('kafka')];
    if (this.service.consumesEvents) checks.push(() => this.consumer.check('consumer'));
    return checks;
  }
}
