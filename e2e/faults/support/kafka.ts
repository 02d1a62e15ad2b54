// Straight to Kafka: what is on a topic (read back from the start), offsets, consumer groups, and
// a producer for hand-made messages (duplicates, poison).
import { randomUUID } from 'node:crypto';
import { Admin, Kafka, logLevel, Message, Producer } from 'kafkajs';
import { KAFKA_BROKER, sleep } from './harness';

export const GROUPS = {
  orders: 'order-service-group',
  payments: 'payment-service-group',
} as const;

export interface TopicMessage {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  /** The parsed envelope when the value is JSON. */
  event?: { eventId: string; type: string; version: number; data: Record<string, unknown>; requestId: string | null };
}

const kafka = new Kafka({
  clientId: 'fault-suite',
  brokers: [KAFKA_BROKER],
  logLevel: logLevel.NOTHING,
  connectionTimeout: 3000,
  retry: { retries: 5, initialRetryTime: 300 },
});
let admin: Admin | undefined;
let producer: Producer | undefined;

async function getAdmin(): Promise<Admin> {
  if (!admin) {
    admin = kafka.admin();
    await admin.connect();
  }
  return admin;
}

export async function closeKafka(): Promise<void> {
  await Promise.all([admin?.disconnect(), producer?.disconnect()].map((p) => p?.catch(() => undefined)));
  admin = undefined;
  producer = undefined;
}

/** Forgets clients connected to a broker that was stopped since. */
export async function resetKafkaClients(): Promise<void> {
  await closeKafka();
}

export async function publish(topic: string, messages: Message[]): Promise<{ partition: number; offset: number }[]> {
  if (!producer) {
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
  }
  const meta = await producer.send({ topic, acks: -1, messages });
  // One message per call in this suite's use; the base offset is the message's offset.
  return meta.map((m) => ({ partition: m.partition, offset: Number(m.baseOffset) }));
}

/** Sum of the high watermarks: how many messages the topic ever got (the stack starts empty). */
export async function endOffsets(topic: string): Promise<Map<number, number>> {
  const offsets = await (await getAdmin()).fetchTopicOffsets(topic);
  return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
}

export async function messageCount(topic: string): Promise<number> {
  return [...(await endOffsets(topic)).values()].reduce((a, b) => a + b, 0);
}

/** A group's committed offsets on a topic (next offset to read; -1 when none). */
export async function committedOffsets(groupId: string, topic: string): Promise<Map<number, number>> {
  const [res] = await (await getAdmin()).fetchOffsets({ groupId, topics: [topic] });
  return new Map(res.partitions.map((p) => [p.partition, Number(p.offset)]));
}

export async function describeGroup(groupId: string): Promise<{ state: string; members: number }> {
  const { groups } = await (await getAdmin()).describeGroups([groupId]);
  return { state: groups[0]?.state ?? 'Unknown', members: groups[0]?.members.length ?? 0 };
}

/** Every message of the topics from offset 0 up to their current ends, read with a throw-away group. */
export async function readTopics(topics: string[], timeoutMs = 60000): Promise<TopicMessage[]> {
  const ends = new Map<string, Map<number, number>>();
  for (const t of topics) ends.set(t, await endOffsets(t));
  const wanted = [...ends.entries()].flatMap(([t, m]) => [...m.entries()].filter(([, end]) => end > 0).map(([p, end]) => ({ t, p, end })));
  if (wanted.length === 0) return [];
  const groupId = `fault-suite-read-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
  const out: TopicMessage[] = [];
  const progress = new Map<string, number>();
  const done = () => wanted.every((w) => (progress.get(`${w.t}/${w.p}`) ?? 0) >= w.end);
  try {
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        const offset = Number(message.offset);
        const end = ends.get(topic)?.get(partition) ?? 0;
        progress.set(`${topic}/${partition}`, offset + 1);
        if (offset >= end) return;
        const value = message.value?.toString('utf8') ?? null;
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        let event: TopicMessage['event'];
        try {
          const parsed = JSON.parse(value ?? '');
          if (parsed && typeof parsed === 'object' && typeof parsed.eventId === 'string') event = parsed;
        } catch {
          // poison, kept raw
        }
        out.push({ topic, partition, offset, key: message.key?.toString('utf8') ?? null, value, headers, event });
      },
    });
    const t0 = Date.now();
    while (!done()) {
      if (Date.now() - t0 > timeoutMs) throw new Error(`reading ${topics.join(', ')} timed out`);
      await sleep(100);
    }
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await (await getAdmin()).deleteGroups([groupId]).catch(() => undefined);
  }
  return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition || a.offset - b.offset);
}

/** Events of one topic with a data field equal to one of the ids (e.g. orderId), deduplicated by eventId. */
export function distinctEvents(messages: TopicMessage[], topic: string, field: string, ids: Set<string>): Map<string, TopicMessage> {
  const seen = new Map<string, TopicMessage>();
  for (const m of messages) {
    if (m.topic !== topic || !m.event) continue;
    if (!ids.has(String(m.event.data?.[field]))) continue;
    if (!seen.has(m.event.eventId)) seen.set(m.event.eventId, m);
  }
  return seen;
}
