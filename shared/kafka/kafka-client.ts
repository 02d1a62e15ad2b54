// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Logger } from '@nestjs/common';
import { Kafka, KafkaConfig, logLevel, LogEntry } from 'kafkajs';
// Before any client connects: kafkajs' idle connections would otherwise spin a 1 ms timer.
import './kafkajs-idle-fix';

export interface KafkaEnv {
  KAFKA_BROKER: string;
  KAFKA_CLIENT_ID: string;
  KAFKA_CONSUMER_GROUP: string;
}

const logger = new Logger('kafkajs');

/**
 * kafkajs warns at every producer start that bounded retries may break an idempotent producer's
 * exactly-once delivery. Ours does not rely on it: the outbox relay resends a failed batch itself
 * and consumers drop what they already processed (by eventId), so the line would only alarm.
 */
const EXPECTED_WARNINGS = ['Limiting retries for the idempotent producer'];

/**
 * Broker answers that kafkajs retries by itself (retriable codes): while a broker starts, a group
 * coordinator loads or moves, or a partition elects a leader. kafkajs logs each as an error before
 * retrying, so every fresh start and every failover wrote error lines for nothing that failed; a
 * retry that fails for good still ends in an error of ours.
 */
const RETRIED_RESPONSES: ReadonlySet<string> = new Set([
  "The coordinator is loading and hence can't process requests for this group",
  'The group coordinator is not available',
  'This is not the correct coordinator for this group',
  'There is no leader for this topic-partition as we are in the middle of a leadership election',
  'This server is not the leader for that topic-partition',
]);

/** kafkajs logs through Nest's logger (pino), warnings and errors only; a retried answer as a warning. */
export function kafkajsLogCreator() {
  return () =>
    ({ level, log }: LogEntry): void => {
      const { message, ...extra } = log;
      if (EXPECTED_WARNINGS.some((expected) => message.startsWith(expected))) return;
      const failed = level === logLevel.ERROR || level === logLevel.NOTHING;
      const retried = message.startsWith('Response ') && RETRIED_RESPONSES.has(String(extra.error));
      if (failed && !retried) logger.error({ ...extra }, message);
      else if (failed || level === logLevel.WARN) logger.warn({ ...extra }, message);
    };
}

export function kafkaClientConfig(env: KafkaEnv, suffix: string): KafkaConfig {
  return {
    clientId: `${env.KAFKA_CLIENT_ID}-${suffix}`,
    brokers: env.KAFKA_BROKER.split(','),
    logLevel: logLevel.WARN,
    logCreator: kafkajsLogCreator(),
    connectionTimeout: 3000,
    // Short: callers (outbox relay, consumer restart) own the long retry loops.
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
  };
}

export function createKafka(env: KafkaEnv, suffix: string): Kafka {
  return new Kafka(kafkaClientConfig(env, suffix));
}
