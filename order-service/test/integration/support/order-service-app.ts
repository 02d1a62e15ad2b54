import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { Topics } from '../../../src/shared/events/topics';
import { configureApp, createHttpAdapter, fastifyOf } from '../../../src/shared/http/configure-app';
import { connectKafkaConsumer } from '../../../src/shared/kafka/kafka-consumer';
import { startGroupAtEnd, testKafka } from './kafka';

export interface RunningOrderService {
  app: INestApplication;
  dataSource: DataSource;
  close(): Promise<void>;
}

const CONSUMED = [Topics.UserCreated, Topics.UserDeleted, Topics.PaymentCompleted, Topics.PaymentFailed, Topics.PaymentRefunded, Topics.PaymentRefundFailed];

/**
 * The whole app as main.ts builds it (same configureApp, Kafka consumer, migrations run at start),
 * against the test stack's PostgreSQL and Kafka. One consumer group per test file.
 */
export async function startOrderService(opts: {
  consumerGroup: string;
  userServiceUrl: string;
  /** Extra settings, e.g. a short ORDER_PAYMENT_TIMEOUT_MS. */
  env?: Record<string, string>;
}): Promise<RunningOrderService> {
  const database = process.env.TEST_DB_NAME_ORDERS;
  if (!database?.includes('test')) throw new Error(`refusing to run against database "${database}": not a test database`);
  Object.assign(process.env, {
    NODE_ENV: 'test',
    PORT: '4002',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    OTEL_SDK_DISABLED: 'true',
    DB_PORT: process.env.TEST_DB_PORT_ORDERS,
    DB_DATABASE: database,
    KAFKA_CLIENT_ID: 'order-service-it',
    KAFKA_CONSUMER_GROUP: opts.consumerGroup,
    USER_SERVICE_URL: opts.userServiceUrl,
    ...opts.env,
  });
  delete process.env.API_KEY;
  const kafka = testKafka();
  await startGroupAtEnd(kafka, opts.consumerGroup, CONSUMED);

  // Imported only now: ConfigModule.forRoot validates process.env when app.module is loaded.
  const { AppModule } = await import('../../../src/app.module');
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = moduleRef.createNestApplication(createHttpAdapter(), { bufferLogs: true, bodyParser: false });
  configureApp(app);
  connectKafkaConsumer(app, {
    KAFKA_BROKER: process.env.KAFKA_BROKER as string,
    KAFKA_CLIENT_ID: 'order-service-it',
    KAFKA_CONSUMER_GROUP: opts.consumerGroup,
  });
  await app.startAllMicroservices();
  await app.init();
  await fastifyOf(app).ready();
  return { app, dataSource: app.get(DataSource), close: () => app.close() };
}

export async function truncateAll(dataSource: DataSource): Promise<void> {
  await dataSource.query('TRUNCATE orders, order_items, order_status_history, known_users, processed_events, outbox_messages');
}
