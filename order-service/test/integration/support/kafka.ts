import { Consumer, IHeaders, Kafka, logLevel, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { waitUntil } from './wait';

export interface SeenMessage {
  topic: string;
  partition: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

export function testKafka(): Kafka {
  const broker = process.env.KAFKA_BROKER;
  if (!broker) throw new Error('KAFKA_BROKER is not set: run through jest (globalSetup starts the test stack)');
  return new Kafka({ clientId: `order-service-it-${process.pid}`, brokers: broker.split(','), logLevel: logLevel.NOTHING });
}

/**
 * A fresh consumer group starts where each topic ends now, so the app under test handles only
 * what this test file publishes, not the topic's history from other suites. (admin.setOffsets
 * would do it too, but waits a full fetch, 5 s, per topic.)
 */
export async function startGroupAtEnd(kafka: Kafka, groupId: string, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const ends: { topic: string; partition: number; offset: string }[] = [];
  try {
    for (const topic of topics) {
      for (const o of await admin.fetchTopicOffsets(topic)) ends.push({ topic, partition: o.partition, offset: o.high });
    }
  } finally {
    await admin.disconnect();
  }
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: false });
    // Consumes nothing: no offset is resolved or committed but the ones below.
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
    await joined;
    await consumer.commitOffsets(ends);
  } finally {
    await consumer.disconnect();
  }
}

/** Reads topics from their beginning into memory; tests pick their own messages by key. */
export class TopicProbe {
  readonly messages: SeenMessage[] = [];
  private readonly consumer: Consumer;

  constructor(kafka: Kafka) {
    this.consumer = kafka.consumer({ groupId: `order-service-it-probe-${randomUUID()}` });
  }

  async start(topics: string[]): Promise<this> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        this.messages.push({
          topic,
          partition,
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? null,
          headers,
        });
      },
    });
    return this;
  }

  of(topic: string, key: string): SeenMessage[] {
    return this.messages.filter((m) => m.topic === topic && m.key === key);
  }

  async waitFor(topic: string, key: string, count = 1, timeoutMs = 30000): Promise<SeenMessage[]> {
    await waitUntil(() => this.of(topic, key).length >= count, `${count} message(s) on ${topic} with key ${key}`, timeoutMs);
    return this.of(topic, key);
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}

export class TestPublisher {
  private readonly producer: Producer;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({ allowAutoTopicCreation: false });
  }

  async start(): Promise<this> {
    await this.producer.connect();
    return this;
  }

  async publish(topic: string, key: string, value: string | object, headers: IHeaders = {}): Promise<void> {
    await this.producer.send({
      topic,
      acks: -1,
      messages: [{ key, value: typeof value === 'string' ? value : JSON.stringify(value), headers }],
    });
  }

  /** In one produce request, in this order: messages with one key land together in one batch. */
  async publishTogether(topic: string, key: string, values: (string | object)[]): Promise<void> {
    await this.producer.send({
      topic,
      acks: -1,
      messages: values.map((value) => ({ key, value: typeof value === 'string' ? value : JSON.stringify(value) })),
    });
  }

  stop(): Promise<void> {
    return this.producer.disconnect();
  }
}

/** An event envelope as the other services publish it. */
export function anEvent(type: string, data: object, over: Record<string, unknown> = {}) {
  return { eventId: randomUUID(), type, version: 1, occurredAt: new Date().toISOString(), requestId: `req-${randomUUID()}`, data, ...over };
}
