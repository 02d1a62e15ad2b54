import { Consumer, Kafka, logLevel } from 'kafkajs';

export interface SeenEvent {
  topic: string;
  key: string | null;
  value: { eventId: string; type: string; version: number; requestId: string | null; occurredAt: string; data: Record<string, unknown> };
  headers: Record<string, string>;
}

export const BROKER = process.env.KAFKA_BROKER ?? 'localhost:9086';

/** Collects every message arriving on the topics from now on (a fresh group starting at the end). */
export async function watchTopics(topics: string[]): Promise<{ events: SeenEvent[]; stop: () => Promise<void> }> {
  const kafka = new Kafka({ brokers: BROKER.split(','), logLevel: logLevel.NOTHING, clientId: 'e2e-watch' });
  const consumer: Consumer = kafka.consumer({ groupId: `e2e-watch-${process.pid}-${Date.now()}` });
  const events: SeenEvent[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: false });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      let value: SeenEvent['value'];
      try {
        value = JSON.parse(message.value?.toString() ?? 'null');
      } catch {
        return;
      }
      events.push({
        topic,
        key: message.key?.toString() ?? null,
        value,
        headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
      });
    },
  });
  await joined;
  return { events, stop: () => consumer.disconnect() };
}

export async function eventually<T>(probe: () => Promise<T> | T, done: (v: T) => boolean, timeoutMs = 30000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 150));
  }
}
