// Straight to Kafka: what is on a topic (read back from the start), offsets, consumer groups,
// partition leaders and ISR, and a producer for hand-made messages. Shared by the fault suite (one
// broker) and the cluster suite (three).
import { randomUUID } from 'node:crypto';
import { Admin, Kafka, logLevel, Message, Producer } from 'kafkajs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
  event?: { eventId: string; type: string; version: number; occurredAt?: string; data: Record<string, unknown>; requestId: string | null };
}

export interface PartitionInfo {
  topic: string;
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

export class SystemTopics {
  private readonly kafka: Kafka;
  private admin?: Admin;
  private producer?: Producer;

  constructor(brokers: string[], clientId: string) {
    this.kafka = new Kafka({
      clientId,
      brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3000,
      retry: { retries: 5, initialRetryTime: 300 },
    });
  }

  private async getAdmin(): Promise<Admin> {
    if (!this.admin) {
      this.admin = this.kafka.admin();
      await this.admin.connect();
    }
    return this.admin;
  }

  /** Disconnects (also: forgets clients connected to a broker that was stopped since). */
  async close(): Promise<void> {
    await Promise.all([this.admin?.disconnect(), this.producer?.disconnect()].map((p) => p?.catch(() => undefined)));
    this.admin = undefined;
    this.producer = undefined;
  }

  async publish(topic: string, messages: Message[]): Promise<{ partition: number; offset: number }[]> {
    if (!this.producer) {
      this.producer = this.kafka.producer({ allowAutoTopicCreation: false });
      await this.producer.connect();
    }
    const meta = await this.producer.send({ topic, acks: -1, messages });
    // One message per call in the suites' use; the base offset is the message's offset.
    return meta.map((m) => ({ partition: m.partition, offset: Number(m.baseOffset) }));
  }

  /** Each partition's high watermark: how many messages it ever got (the stack starts empty). */
  async endOffsets(topic: string): Promise<Map<number, number>> {
    // Right after leaders moved, kafkajs can hold metadata that names no leader for a partition
    // and fail inside fetchTopicOffsets; fresh metadata a moment later answers.
    for (let attempt = 1; ; attempt++) {
      try {
        const offsets = await (await this.getAdmin()).fetchTopicOffsets(topic);
        return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
      } catch (err) {
        if (attempt >= 5) throw err;
        await sleep(500 * attempt);
      }
    }
  }

  async messageCount(topic: string): Promise<number> {
    return [...(await this.endOffsets(topic)).values()].reduce((a, b) => a + b, 0);
  }

  /** A group's committed offsets on a topic (next offset to read; -1 when none). */
  async committedOffsets(groupId: string, topic: string): Promise<Map<number, number>> {
    const [res] = await (await this.getAdmin()).fetchOffsets({ groupId, topics: [topic] });
    return new Map(res.partitions.map((p) => [p.partition, Number(p.offset)]));
  }

  async describeGroup(groupId: string): Promise<{ state: string; members: number }> {
    const { groups } = await (await this.getAdmin()).describeGroups([groupId]);
    return { state: groups[0]?.state ?? 'Unknown', members: groups[0]?.members.length ?? 0 };
  }

  /** Which partitions each member of a group holds, by the member's client host and id. */
  async groupAssignment(groupId: string): Promise<{ clientId: string; host: string; partitions: number }[]> {
    const { groups } = await (await this.getAdmin()).describeGroups([groupId]);
    const { AssignerProtocol } = await import('kafkajs');
    return (groups[0]?.members ?? []).map((m) => {
      const decoded = m.memberAssignment.length ? AssignerProtocol.MemberAssignment.decode(m.memberAssignment) : null;
      const partitions = Object.values(decoded?.assignment ?? {}).reduce((n, ps) => n + ps.length, 0);
      return { clientId: m.clientId, host: m.clientHost, partitions };
    });
  }

  /** Leader, replicas and in-sync replicas of every partition of the topics (fresh metadata). */
  async partitions(topics: string[]): Promise<PartitionInfo[]> {
    const { topics: meta } = await (await this.getAdmin()).fetchTopicMetadata({ topics });
    return meta.flatMap((t) =>
      t.partitions.map((p) => ({ topic: t.name, partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr })),
    );
  }

  /** Every message of the topics from offset 0 up to their current ends, read with a throw-away group. */
  async readTopics(topics: string[], timeoutMs = 60000): Promise<TopicMessage[]> {
    const ends = new Map<string, Map<number, number>>();
    for (const t of topics) ends.set(t, await this.endOffsets(t));
    const wanted = [...ends.entries()].flatMap(([t, m]) => [...m.entries()].filter(([, end]) => end > 0).map(([p, end]) => ({ t, p, end })));
    if (wanted.length === 0) return [];
    const groupId = `suite-read-${randomUUID()}`;
    const consumer = this.kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
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
      await (await this.getAdmin()).deleteGroups([groupId]).catch(() => undefined);
    }
    return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition || a.offset - b.offset);
  }
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
