// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { INestApplication, Logger } from '@nestjs/common';
import { MicroserviceOptions, Transport } from '@nestjs/microservices';
import { setTimeout as sleep } from 'node:timers/promises';
import { kafkaClientConfig, KafkaEnv } from './kafka-client';

/**
 * Adds the Kafka consumer of @nestjs/microservices to an HTTP app (a hybrid app).
 * The group id is exactly KAFKA_CONSUMER_GROUP (no "-server" postfix), so it can be found by name.
 */
export function connectKafkaConsumer(app: INestApplication, env: KafkaEnv): void {
  app.connectMicroservice<MicroserviceOptions>({
    transport: Transport.KAFKA,
    options: {
      postfixId: '',
      client: { ...kafkaClientConfig(env, 'consumer'), retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 5000 } },
      consumer: {
        groupId: env.KAFKA_CONSUMER_GROUP,
        allowAutoTopicCreation: false,
        sessionTimeout: 30000,
        heartbeatInterval: 3000,
      },
      subscribe: { fromBeginning: true },
      run: { partitionsConsumedConcurrently: 3 },
    },
  });
}

/**
 * Starts the consumers without holding up HTTP: with Kafka down the API still takes writes
 * (they wait in the outbox), and the consumer joins when the broker is back.
 */
export function startConsumersInBackground(app: INestApplication): Promise<void> {
  const logger = new Logger('KafkaConsumer');
  const started = (async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        await app.startAllMicroservices();
        logger.log('Kafka consumer started');
        return;
      } catch (e) {
        const delay = Math.min(30000, 1000 * 2 ** Math.min(attempt, 5));
        logger.warn({ err: e, attempt }, `Kafka consumer could not start, retrying in ${delay} ms`);
        await sleep(delay);
      }
    }
  })();
  return started;
}
