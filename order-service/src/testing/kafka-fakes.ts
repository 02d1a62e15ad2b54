import { KafkaContext } from '@nestjs/microservices';
import type { IHeaders, KafkaMessage, Producer, ProducerRecord } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { DeadLetterPublisher } from '../shared/kafka/dead-letter.publisher';
import { EventProcessor } from '../shared/kafka/event-processor';
import type { KafkaProducer } from '../shared/kafka/kafka-producer';

/** A KafkaProducer stand-in that keeps what would have been sent. */
export class RecordingProducer {
  readonly sent: ProducerRecord[] = [];

  async get(): Promise<Producer> {
    return { send: async (record: ProducerRecord) => void this.sent.push(record) } as unknown as Producer;
  }

  headersOf(index: number): IHeaders {
    return this.sent[index].messages[0].headers ?? {};
  }
}

/** The real EventProcessor and DeadLetterPublisher over a recording producer; retries are quick. */
export function anEventProcessor(): { processor: EventProcessor; producer: RecordingProducer } {
  const producer = new RecordingProducer();
  const processor = new EventProcessor(new DeadLetterPublisher(producer as unknown as KafkaProducer));
  processor.retry = { attempts: 3, firstDelayMs: 1 };
  return { processor, producer };
}

/**
 * A KafkaContext as Nest builds it for one consumed message: Nest's KafkaParser has already
 * decoded key, headers and value (JSON objects parsed, anything else left as a string).
 */
export function aKafkaContext(topic: string, value: unknown, key = randomUUID()): KafkaContext {
  const message = {
    key,
    value,
    headers: { 'x-request-id': 'req-1' },
    offset: '7',
    timestamp: String(Date.now()),
    attributes: 0,
  } as unknown as KafkaMessage;
  return new KafkaContext([message, 1, topic, {} as never, async () => undefined, {} as never]);
}

export function anEnvelope(type: string, data: Record<string, unknown>, over: Record<string, unknown> = {}) {
  return {
    eventId: randomUUID(),
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    requestId: 'req-1',
    data,
    ...over,
  };
}
