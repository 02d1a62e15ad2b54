import { Injectable } from '@nestjs/common';
import { HealthIndicatorFunction, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { KafkaHealthIndicator } from '../shared/kafka/kafka-health';
import { ReadinessChecks } from '../shared/observability/health';

/** Ready = its PostgreSQL answers and the Kafka broker answers. */
@Injectable()
export class PaymentServiceReadiness extends ReadinessChecks {
  constructor(
    private readonly db: TypeOrmHealthIndicator,
    private readonly kafka: KafkaHealthIndicator,
  ) {
    super();
  }

  checks(): HealthIndicatorFunction[] {
    return [() => this.db.pingCheck('database', { timeout: 1500 }), () => this.kafka.check('kafka')];
  }
}
