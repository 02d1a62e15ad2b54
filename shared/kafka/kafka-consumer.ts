// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { INestApplication, Logger } from '@nestjs/common';
import { CustomStrategy, KafkaOptions, ServerKafka } from '@nestjs/microservices';
import { Consumer, ConsumerRunConfig, Partitioners } from 'kafkajs';
import { EventProcessor } from './event-processor';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConsumerGroupMonitor } from './consumer-group-monitor';
import { kafkaClientConfig, KafkaEnv } from './kafka-client';

/**
 * Adds the Kafka consumer of @nestjs/microservices to an HTTP app (a hybrid app).
 * The group id is exactly KAFKA_CONSUMER_GROUP (no "-server" postfix), so it can be found by name.
 * The app's ConsumerGroupMonitor (KafkaModule) watches it: readiness and consumer lag.
 */
export function connectKafkaConsumer(app: INestApplication, env: KafkaEnv): void {
  const monitor = app.get(ConsumerGroupMonitor, { strict: false });
  const processor = app.get(EventProcessor, { strict: false });
  app.connectMicroservice<CustomStrategy>({ strategy: new MonitoredServerKafka(kafkaConsumerOptions(env), monitor, processor) });
}

export function kafkaConsumerOptions(env: KafkaEnv): Required<KafkaOptions>['options'] {
  return {
    postfixId: '',
    client: { ...kafkaClientConfig(env, 'consumer'), retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 5000 } },
    consumer: {
      groupId: env.KAFKA_CONSUMER_GROUP,
      allowAutoTopicCreation: false,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
    },
    // Nest's server makes a producer for replies (unused by event handlers): the partitioner is
    // named so kafkajs does not warn about its v2 default on every start.
    producer: { createPartitioner: Partitioners.DefaultPartitioner },
    subscribe: { fromBeginning: true },
    run: { partitionsConsumedConcurrently: 3 },
    // Values reach the handlers as the bytes that were sent: parseEvent decodes them (bounded), and
    // a dead letter carries them unchanged. Nest's own JSON decoding would hand over a parsed value
    // that would have to be serialized again to be parked, and a deeply nested value overflows that.
    parser: { keepBinary: true },
  };
}

/**
 * Nest's Kafka server, telling the monitor about each kafkajs consumer it creates, and consuming
 * in batches: Nest subscribes to the topics of the @OnEvent handlers (their @EventPattern), and
 * each partition's batch goes to EventProcessor.processBatch, which applies many events per
 * transaction. Nest's own dispatch (one message, one handler call) is not used for them.
 */
export class MonitoredServerKafka extends ServerKafka {
  constructor(
    options: Required<KafkaOptions>['options'],
    private readonly monitor: ConsumerGroupMonitor,
    private readonly processor: EventProcessor,
  ) {
    super(options);
  }

  protected override registerConsumerEventListeners(): void {
    super.registerConsumerEventListeners();
    if (this.consumer) this.monitor.watch(this.consumer, this.groupId);
  }

  override async bindEvents(consumer: Consumer): Promise<void> {
    const topics = [...this.messageHandlers.keys()];
    if (topics.length > 0) await consumer.subscribe({ ...(this.options.subscribe ?? {}), topics });
    const config: ConsumerRunConfig = {
      ...(this.options.run ?? {}),
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.processor.processBatch(payload),
    };
    // The processor starts a consumer span per message, child of the span the message carries.
    // The OpenTelemetry kafkajs instrumentation would wrap eachBatch in a new trace per batch with
    // a second span per message: its wrapper is skipped (shimmer keeps the original as __original).
    const run = (consumer.run as Consumer['run'] & { __original?: Consumer['run'] }).__original ?? consumer.run;
    await run.call(consumer, config);
  }
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
