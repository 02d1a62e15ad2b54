import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { configureApp, createHttpAdapter, fastifyOf } from '../../src/shared/http/configure-app';

/** The real app on the test stack (PostgreSQL 5434, Kafka 9086), configured exactly like main.ts. */
export async function startTestApp(): Promise<{ app: INestApplication; db: DataSource }> {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = moduleRef.createNestApplication(createHttpAdapter(), { bufferLogs: true, bodyParser: false });
  configureApp(app);
  await app.init();
  await fastifyOf(app).ready();
  return { app, db: app.get(DataSource) };
}

export async function truncateAll(db: DataSource): Promise<void> {
  await db.query('TRUNCATE users, sessions, refresh_tokens, outbox_messages, processed_events');
}

export interface SeenMessage {
  key: string | null;
  value: Record<string, unknown>;
  headers: Record<string, string>;
}

/**
 * Reads a topic with a fresh group, from its beginning: a consumer that starts "from the end" takes
 * the end when it first fetches, after it joined, and misses a message produced in between. The
 * tests look for the keys of rows they created, so older messages do not get in their way.
 */
export async function watchTopic(topic: string): Promise<{ messages: SeenMessage[]; stop: () => Promise<void> }> {
  const kafka = new Kafka({ brokers: (process.env.KAFKA_BROKER ?? 'localhost:9086').split(','), logLevel: logLevel.NOTHING });
  const consumer: Consumer = kafka.consumer({ groupId: `watch-${topic}-${Date.now()}-${Math.random()}` });
  const messages: SeenMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    eachMessage: async ({ message }) => {
      messages.push({
        key: message.key?.toString() ?? null,
        value: JSON.parse(message.value?.toString() ?? 'null') as Record<string, unknown>,
        headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
      });
    },
  });
  await joined;
  return { messages, stop: () => consumer.disconnect() };
}

export async function eventually<T>(probe: () => T | Promise<T>, ok: (v: T) => boolean, timeoutMs = 15000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}
