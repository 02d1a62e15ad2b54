import { Kafka } from 'kafkajs';
import { ConsoleConfig } from '../config/console-config';
import { createKafka } from '../shared/kafka/kafka-client';

/** A kafkajs client with the services' own settings (timeouts, retries, logging), under the console's client id. */
export function consoleKafka(config: ConsoleConfig, suffix: string): Kafka {
  return createKafka({ KAFKA_BROKER: config.kafka.brokers, KAFKA_CLIENT_ID: config.kafka.clientId, KAFKA_CONSUMER_GROUP: '' }, suffix);
}

/**
 * Consumer groups the console (and `npm run dlq`) joins to read topics. Hidden from the groups page:
 * they commit nothing and leave when the reader stops.
 */
export const readerGroupPrefix = (config: ConsoleConfig): string => `${config.kafka.clientId}-reader-`;
