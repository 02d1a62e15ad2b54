// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Injectable, Logger } from '@nestjs/common';
import { KafkaContext } from '@nestjs/microservices';
import { IHeaders } from 'kafkajs';
import { deadLetterTopicOf, Topic } from '../events/topics';
import { eventsDeadLettered } from '../observability/metrics';
import { DLQ_HEADERS } from './dead-letter-headers';
import { KafkaProducer } from './kafka-producer';

export { DLQ_HEADERS };

/** Parks a message that cannot be processed, with why, so its partition moves on and nothing is lost. */
@Injectable()
export class DeadLetterPublisher {
  private readonly logger = new Logger(DeadLetterPublisher.name);

  constructor(private readonly producer: KafkaProducer) {}

  async park(ctx: KafkaContext, consumer: string, reason: string): Promise<void> {
    const topic = ctx.getTopic() as Topic;
    const message = ctx.getMessage();
    const headers: IHeaders = {
      ...(message.headers ?? {}),
      [DLQ_HEADERS.reason]: reason.slice(0, 1000),
      [DLQ_HEADERS.originalTopic]: topic,
      [DLQ_HEADERS.originalPartition]: String(ctx.getPartition()),
      [DLQ_HEADERS.originalOffset]: String(message.offset),
      [DLQ_HEADERS.consumer]: consumer,
      [DLQ_HEADERS.failedAt]: new Date().toISOString(),
    };
    const producer = await this.producer.get();
    // Throws when Kafka is unreachable: the message is then redelivered, not dropped.
    await producer.send({
      topic: deadLetterTopicOf(topic),
      acks: -1,
      messages: [{ key: message.key ?? null, value: originalBytes(message.value), headers }],
    });
    eventsDeadLettered.inc({ topic });
    // topic, eventId and requestId are on the line already: EventProcessor's log context.
    this.logger.warn({ partition: ctx.getPartition(), offset: message.offset, reason }, 'message dead-lettered');
  }
}

/**
 * The value as it was sent: the consumer keeps values binary (kafkaConsumerOptions). A value that
 * was decoded anyway (tests hand objects) is serialized; one that cannot be is left out rather than
 * make parking fail, which would block the partition.
 */
function originalBytes(value: unknown): Buffer | string | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value) || typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch {
    return null;
  }
}
