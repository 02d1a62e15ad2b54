// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ICustomPartitioner, Kafka, Message, Partitioners, Producer, RecordMetadata, TopicMessages } from 'kafkajs';
import { createKafka, KafkaEnv } from './kafka-client';
import { KAFKA_SETTINGS } from './kafka-settings';

/** The partition kafkajs put each message of a send in, as its partitioner chose it. */
export type PartitionOf = WeakMap<Message, number>;

/**
 * Some partitions of a batch got no acknowledgement although the send resolved. kafkajs 2.2.x
 * keeps each broker's answer across its internal retries: when a leader moves during a retry to a
 * broker that has already answered for other partitions, the moved partitions are never sent and
 * sendBatch resolves without them (seen as lost events with a broker paused under load). The
 * caller must treat the batch as failed and send it again.
 */
export class IncompleteSendError extends Error {
  constructor(readonly missing: readonly string[]) {
    super(`Kafka acknowledged only part of the batch; no answer for ${missing.join(', ')}`);
    this.name = 'IncompleteSendError';
  }
}

/**
 * The default partitioner (murmur2 of the key, the partition Java clients pick too), recording
 * which partition each message went to, so the answer can be checked against it.
 */
export function recordingPartitioner(partitionOf: PartitionOf): ICustomPartitioner {
  return () => {
    const pick = Partitioners.DefaultPartitioner();
    return (args) => {
      const partition = pick(args);
      partitionOf.set(args.message, partition);
      return partition;
    };
  };
}

/** `topic-partition` names of the partitions that carry messages of the batch but have no answer without error. */
export function unacknowledged(topicMessages: readonly TopicMessages[], answers: readonly RecordMetadata[], partitionOf: PartitionOf): string[] {
  const acknowledged = new Set(answers.filter((a) => a.errorCode === 0).map((a) => `${a.topicName}-${a.partition}`));
  const missing = new Set<string>();
  for (const { topic, messages } of topicMessages) {
    for (const message of messages) {
      const partition = partitionOf.get(message);
      // Never partitioned means never sent: as missing as a partition without an answer.
      const name = partition === undefined ? `${topic} (message not sent)` : `${topic}-${partition}`;
      if (!acknowledged.has(name)) missing.add(name);
    }
  }
  return [...missing];
}

/**
 * The app's one Kafka producer (idempotent, acks=all), connected on first use so the app starts
 * and serves HTTP while Kafka is down.
 */
@Injectable()
export class KafkaProducer implements OnApplicationShutdown {
  private readonly kafka: Kafka;
  private readonly partitionOf: PartitionOf = new WeakMap();
  private producer: Producer;
  private connecting: Promise<void> | null = null;

  constructor(@Inject(KAFKA_SETTINGS) settings: KafkaEnv) {
    this.kafka = createKafka(settings, 'producer');
    this.producer = this.create();
  }

  async get(): Promise<Producer> {
    const producer = this.producer;
    this.connecting ??= producer.connect().catch((e: unknown) => {
      if (this.producer === producer) this.connecting = null;
      throw e;
    });
    await this.connecting;
    return producer;
  }

  /**
   * Sends a batch (acks=all) and checks that every partition it touched answered; throws
   * IncompleteSendError otherwise, so the caller keeps the events and sends them again. A resent
   * partition that had been written is delivered twice, which consumers drop by eventId.
   */
  async sendAll(topicMessages: TopicMessages[]): Promise<void> {
    const producer = await this.get();
    const answers = await producer.sendBatch({ acks: -1, topicMessages });
    const missing = unacknowledged(topicMessages, answers, this.partitionOf);
    if (missing.length > 0) throw new IncompleteSendError(missing);
  }

  /**
   * After a failed send: a new producer, so a new producer id. The old one's sequence numbers may
   * no longer match what the brokers wrote (a request that timed out on our side but was written),
   * and reconnecting it would be refused with OUT_OF_ORDER_SEQUENCE_NUMBER for as long as it lives.
   */
  async reset(): Promise<void> {
    const old = this.producer;
    this.producer = this.create();
    this.connecting = null;
    await old.disconnect().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
  }

  private create(): Producer {
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: recordingPartitioner(this.partitionOf),
    });
    producer.on(producer.events.DISCONNECT, () => {
      if (this.producer === producer) this.connecting = null;
    });
    return producer;
  }
}
