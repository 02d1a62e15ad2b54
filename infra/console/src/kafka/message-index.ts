import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConsoleMessage, toConsoleMessage } from '../messages/console-message';

const TOPIC_REFRESH_MS = 10000;
const RESTART_DELAY_MS = 3000;

/** A filter names a topic the broker does not have (a typo would otherwise read as "nothing there"). */
export class UnknownTopicError extends Error {}

/**
 * The newest messages of every topic, in memory. kafkajs reads only through a consumer group, so
 * the index joins a group of its own that commits nothing, reads every topic from the beginning
 * and keeps the last `maxPerPartition` messages of each partition. A topic created later is
 * picked up by re-reading (the topic list is checked every few seconds).
 */
export class MessageIndex {
  private readonly logger = new Logger(MessageIndex.name);
  private readonly partitions = new Map<string, ConsoleMessage[]>();
  /** Next offset to read per `topic/partition`, as far as the reader has got. */
  private readonly positions = new Map<string, number>();
  private topics: string[] = [];
  /** The broker's topics as last listed; null until the first listing. */
  private listed: ReadonlySet<string> | null = null;
  private consumer: Consumer | null = null;
  private readonly groupId: string;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private lastError: string | null = 'not started';

  constructor(
    private readonly kafka: Kafka,
    private readonly admin: () => Promise<Admin>,
    groupPrefix: string,
    private readonly maxPerPartition: number,
  ) {
    this.groupId = `${groupPrefix}${randomUUID().slice(0, 8)}`;
  }

  /** Starts reading in the background: Kafka may be down now and come back later. */
  start(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), TOPIC_REFRESH_MS);
    this.timer.unref();
  }

  /** Why the index is not reading, or null when it is. */
  get problem(): string | null {
    return this.lastError;
  }

  /**
   * Throws UnknownTopicError when the broker's topic list, as last read (every few seconds), lacks
   * `topic`, naming those of them `related` keeps; nothing before the first listing.
   */
  requireTopic(topic: string, related: (name: string) => boolean = () => true): void {
    if (this.listed === null || this.listed.has(topic)) return;
    const others = [...this.listed].filter(related).sort();
    throw new UnknownTopicError(`no topic ${topic} on the broker${others.length ? ` (it has ${others.join(', ')})` : ''}`);
  }

  all(): ConsoleMessage[] {
    return [...this.partitions.values()].flat();
  }

  ofTopic(topic: string): ConsoleMessage[] {
    return [...this.partitions.entries()].filter(([tp]) => tp.startsWith(`${topic}/`)).flatMap(([, list]) => list);
  }

  get(topic: string, partition: number, offset: number): ConsoleMessage | undefined {
    const list = this.partitions.get(`${topic}/${partition}`) ?? [];
    return list.find((m) => m.offset === offset);
  }

  /**
   * Resolves once every partition has been read up to its end as it was when called (the CLI acts
   * on a complete view); rejects after `timeoutMs`.
   */
  async caughtUp(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    if (this.topics.length === 0) await this.refresh();
    const admin = await this.admin();
    const targets: Array<[string, number]> = [];
    for (const topic of this.topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (Number(p.high) > Number(p.low)) targets.push([`${topic}/${p.partition}`, Number(p.high)]);
      }
    }
    while (targets.some(([tp, high]) => (this.positions.get(tp) ?? 0) < high)) {
      if (Date.now() > deadline) {
        const behind = targets.filter(([tp, high]) => (this.positions.get(tp) ?? 0) < high).map(([tp]) => tp);
        throw new Error(`could not read to the end of ${behind.join(', ')} within ${timeoutMs / 1000} s (${this.lastError ?? 'Kafka slow'})`);
      }
      await sleep(100);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.stopConsumer();
    // The group committed nothing; removing it keeps the broker's group list clean.
    await this.admin()
      .then((a) => a.deleteGroups([this.groupId]))
      .catch(() => undefined);
  }

  private refreshing: Promise<void> | null = null;

  /** One refresh at a time: two would each start a reader. */
  private refresh(): Promise<void> {
    this.refreshing ??= this.refreshNow().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async refreshNow(): Promise<void> {
    if (this.stopped) return;
    try {
      const admin = await this.admin();
      const topics = (await admin.listTopics()).filter((t) => !t.startsWith('__')).sort();
      this.listed = new Set(topics);
      if (this.consumer && topics.join() === this.topics.join()) return;
      await this.restart(topics);
    } catch (error) {
      this.lastError = `cannot read topics: ${(error as Error).message}`;
    }
  }

  private async restart(topics: string[]): Promise<void> {
    await this.stopConsumer();
    this.partitions.clear();
    this.positions.clear();
    this.topics = topics;
    if (topics.length === 0) return;
    const consumer = this.kafka.consumer({ groupId: this.groupId, allowAutoTopicCreation: false, sessionTimeout: 30000, heartbeatInterval: 3000 });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.lastError = `reader crashed: ${payload.error.message}`;
      if (!payload.restart && !this.stopped) void sleep(RESTART_DELAY_MS).then(() => this.restart(this.topics));
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({ autoCommit: false, partitionsConsumedConcurrently: 4, eachBatch: (batch) => this.take(batch) });
    this.lastError = null;
    this.logger.log(`reading ${topics.length} topics`);
  }

  private async take({ batch }: EachBatchPayload): Promise<void> {
    const tp = `${batch.topic}/${batch.partition}`;
    const list = this.partitions.get(tp) ?? [];
    for (const message of batch.messages) list.push(toConsoleMessage(batch.topic, batch.partition, message));
    if (list.length > this.maxPerPartition) list.splice(0, list.length - this.maxPerPartition);
    this.partitions.set(tp, list);
    if (batch.messages.length > 0) this.positions.set(tp, Number(batch.lastOffset()) + 1);
  }

  private async stopConsumer(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = null;
    await consumer?.disconnect().catch(() => undefined);
  }
}
