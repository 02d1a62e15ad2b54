// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Partitioners, Producer } from 'kafkajs';
import { createKafka, KafkaEnv } from './kafka-client';
import { KAFKA_SETTINGS } from './kafka-settings';

/**
 * The app's one Kafka producer (idempotent, acks=all), connected on first use so the app starts
 * and serves HTTP while Kafka is down.
 */
@Injectable()
export class KafkaProducer implements OnApplicationShutdown {
  private readonly producer: Producer;
  private connecting: Promise<void> | null = null;

  constructor(@Inject(KAFKA_SETTINGS) settings: KafkaEnv) {
    const kafka = createKafka(
      settings,
      'producer',
    );
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Keys go to the partition Java clients pick too (murmur2); named, so kafkajs does not warn.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.producer.on(this.producer.events.DISCONNECT, () => {
      this.connecting = null;
    });
  }

  async get(): Promise<Producer> {
    this.connecting ??= this.producer.connect().catch((e: unknown) => {
      this.connecting = null;
      throw e;
    });
    await this.connecting;
    return this.producer;
  }

  /** After a send failure the connection may be half-dead: start over on next use. */
  async reset(): Promise<void> {
    this.connecting = null;
    await this.producer.disconnect().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
  }
}
