import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Admin, IHeaders, Kafka, KafkaMessage, logLevel, Producer, RecordMetadata } from 'kafkajs';
import { DataSource } from 'typeorm';
import { Contracts, OrderCreatedData, RefundRequestedData } from '../../src/shared/events/contracts';
import { createEnvelope, EventEnvelope } from '../../src/shared/events/envelope';
import { configureApp, createHttpAdapter, fastifyOf } from '../../src/shared/http/configure-app';
import { connectKafkaConsumer } from '../../src/shared/kafka/kafka-consumer';

/** Values every integration test needs; global-setup exported them (the test stack). */
export function testStack() {
  const need = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: run through jest's integration project (global-setup)`);
    return value;
  };
  return {
    broker: need('KAFKA_BROKER'),
    dbPort: need('TEST_DB_PORT_PAYMENTS'),
    dbName: need('TEST_DB_NAME_PAYMENTS'),
  };
}

export function testKafka(name: string): Kafka {
  return new Kafka({ clientId: `payment-service-test-${name}`, brokers: testStack().broker.split(','), logLevel: logLevel.NOTHING });
}

/**
 * A consumer group that starts at the current end of a topic: the test stack is reused across runs
 * and shared with the other apps' tests, so a new group must not replay the topic's history.
 */
export async function startGroupAtEnd(admin: Admin, groupId: string, topic: string): Promise<void> {
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.setOffsets({ groupId, topic, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
}

export interface TestApp {
  app: INestApplication;
  db: DataSource;
  groupId: string;
  close(): Promise<void>;
}

/** The real app (AppModule, configureApp, Kafka consumer) against the test stack. */
export async function startPaymentService(env: Record<string, string> = {}): Promise<TestApp> {
  const stack = testStack();
  const groupId = `payment-service-it-${randomUUID().slice(0, 8)}`;
  Object.assign(process.env, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    OTEL_SDK_DISABLED: 'true',
    DB_PORT: stack.dbPort,
    DB_DATABASE: stack.dbName,
    KAFKA_CLIENT_ID: groupId,
    KAFKA_CONSUMER_GROUP: groupId,
    // No key unless a test asks for one (an empty value counts as unset).
    API_KEY: '',
    ...env,
  });
  const kafka = testKafka('admin');
  const admin = kafka.admin();
  await admin.connect();
  await startGroupAtEnd(admin, groupId, Contracts.OrderCreated.topic);
  await startGroupAtEnd(admin, groupId, Contracts.RefundRequested.topic);

  // Imported only now: ConfigModule.forRoot validates process.env when AppModule is defined.
  const { AppModule } = await import('../../src/app.module');
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = moduleRef.createNestApplication(createHttpAdapter(), { bufferLogs: true, bodyParser: false });
  configureApp(app);
  connectKafkaConsumer(app, { KAFKA_BROKER: stack.broker, KAFKA_CLIENT_ID: groupId, KAFKA_CONSUMER_GROUP: groupId });
  await app.startAllMicroservices();
  await app.init();
  await fastifyOf(app).ready();
  return {
    app,
    db: app.get(DataSource),
    groupId,
    async close() {
      await app.close();
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect();
    },
  };
}

export async function truncate(db: DataSource): Promise<void> {
  await db.query('TRUNCATE refunds, payments, processed_events, outbox_messages');
}

export interface Recorded {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/** Records what arrives on some topics from now on (earlier messages are skipped by offset). */
export class TopicRecorder {
  readonly messages: Recorded[] = [];
  private readonly kafka = testKafka('recorder');
  private readonly groupId = `payment-service-it-recorder-${randomUUID().slice(0, 8)}`;
  private readonly consumer = this.kafka.consumer({ groupId: this.groupId, maxWaitTimeInMs: 200 });

  constructor(private readonly topics: string[]) {}

  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    const from = new Map<string, bigint>();
    for (const topic of this.topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) from.set(`${topic}/${p.partition}`, BigInt(p.high));
    }
    await admin.disconnect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        if (BigInt(message.offset) < (from.get(`${topic}/${partition}`) ?? 0n)) return;
        this.messages.push(toRecorded(topic, partition, message));
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
    const admin = this.kafka.admin();
    await admin.connect();
    await admin.deleteGroups([this.groupId]).catch(() => undefined);
    await admin.disconnect();
  }

  on(topic: string, key: string): Recorded[] {
    return this.messages.filter((m) => m.topic === topic && m.key === key);
  }

  async waitFor(topic: string, key: string, count = 1, timeoutMs = 20000): Promise<Recorded[]> {
    const seen = () => `seen so far: ${this.on(topic, key).length} with that key, ${this.messages.length} on ${this.topics.join(', ')}`;
    await eventually(() => this.on(topic, key).length >= count, () => `${count} message(s) with key ${key} on ${topic} (${seen()})`, timeoutMs);
    return this.on(topic, key);
  }
}

function toRecorded(topic: string, partition: number, message: KafkaMessage): Recorded {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString('utf8') ?? null,
    value: message.value?.toString('utf8') ?? null,
    headers: headersAsText(message.headers),
  };
}

function headersAsText(headers: IHeaders | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? String(v[0]) : String(v)]));
}

export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string | (() => string),
  timeoutMs = 20000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    }
    await sleep(100);
  }
}

/** Resolves once the group has committed past `offset` on the partition: the message was handled. */
export async function waitUntilConsumed(admin: Admin, groupId: string, topic: string, sent: RecordMetadata): Promise<void> {
  await eventually(async () => {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const p = committed.partitions.find((x) => x.partition === sent.partition);
    return p !== undefined && BigInt(p.offset) > BigInt(sent.baseOffset ?? sent.offset ?? '0');
  }, `${groupId} to commit past ${topic}/${sent.partition}@${sent.baseOffset ?? sent.offset}`);
}

export function anOrderCreated(overrides: Partial<OrderCreatedData> = {}, requestId = `req-${randomUUID()}`) {
  const data: OrderCreatedData = {
    orderId: randomUUID(),
    userId: randomUUID(),
    kind: 'regular',
    items: [
      { productId: 'product-abc', quantity: 2, price: '10.15' },
      { productId: 'product-xyz', quantity: 1, price: '0.01' },
    ],
    totalAmount: '20.31',
    ...overrides,
  };
  return createEnvelope(Contracts.OrderCreated.type, Contracts.OrderCreated.version, data, requestId);
}

/** Publishes on order.created as order-service's relay does: key = orderId, x-request-id header. */
export async function publishOrderCreated(producer: Producer, event: EventEnvelope<string, OrderCreatedData>): Promise<RecordMetadata> {
  return publishRaw(producer, event.data.orderId, JSON.stringify(event), event.requestId ? { 'x-request-id': event.requestId } : {});
}

export async function publishRaw(producer: Producer, key: string, value: string, headers: Record<string, string> = {}): Promise<RecordMetadata> {
  const [sent] = await producer.send({ topic: Contracts.OrderCreated.topic, acks: -1, messages: [{ key, value, headers }] });
  return sent;
}

/** An order.refund-requested as order-service publishes it. */
export function aRefundRequested(data: RefundRequestedData, requestId = `req-${randomUUID()}`) {
  return createEnvelope(Contracts.RefundRequested.type, Contracts.RefundRequested.version, data, requestId);
}

export async function publishRefundRequested(producer: Producer, event: EventEnvelope<string, RefundRequestedData> | { data: { orderId: string } }): Promise<void> {
  await producer.send({ topic: Contracts.RefundRequested.topic, acks: -1, messages: [{ key: event.data.orderId, value: JSON.stringify(event) }] });
}

/** Pays an order through order.created and waits for its completed payment; returns the payment. */
export async function aCompletedPayment(producer: Producer, db: DataSource, totalAmount = '20.30'): Promise<{ orderId: string; paymentId: string; amount: string }> {
  const order = anOrderCreated({ totalAmount });
  await publishOrderCreated(producer, order);
  let rows: { id: string; amount: string }[] = [];
  await eventually(async () => {
    rows = await db.query(`SELECT id, amount::text AS amount FROM payments WHERE order_id = $1 AND status = 'completed'`, [order.data.orderId]);
    return rows.length === 1;
  }, 'the payment completed');
  return { orderId: order.data.orderId, paymentId: rows[0].id, amount: rows[0].amount };
}
