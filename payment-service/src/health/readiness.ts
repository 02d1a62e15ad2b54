import { Injectable } from '@nestjs/common';
import { HealthIndicatorFunction, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { ConsumerGroupMonitor } from '../shared/kafka/consumer-group-monitor';
import { KafkaHealthIndicator } from '../shared/kafka/kafka-health';
import { ReadinessChecks } from '../shared/observability/health';

/** Ready = its PostgreSQL answers, the Kafka broker answers and its order.created consumer has joined its group. */
@Injectable()
export class PaymentServiceReadiness extends ReadinessChecks {
  constructor(
    private readonly db: TypeOrmHealthIndicator,
    private readonly kafka: KafkaHealthIndicator,
    private readonly consumer: ConsumerGroupMonitor,
  ) {
    super();
  }

  checks(): HealthIndicatorFunction[] {
    return [
      () => this.db.pingCheck('database', { timeout: 1500 }),
      () => this.kafka.check('kafka'),
      () => this.consumer.check('consumer'),
    ];
  }
}
