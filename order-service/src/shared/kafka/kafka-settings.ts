// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { FactoryProvider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { KafkaEnv } from './kafka-client';

/** The app's Kafka settings, read once from its validated configuration; inject with @Inject(KAFKA_SETTINGS). */
export const KAFKA_SETTINGS = Symbol('KafkaSettings');

export const kafkaSettingsProvider: FactoryProvider<KafkaEnv> = {
  provide: KAFKA_SETTINGS,
  inject: [ConfigService],
  useFactory: (config: ConfigService<KafkaEnv, true>) => ({
    KAFKA_BROKER: config.get('KAFKA_BROKER', { infer: true }),
    KAFKA_CLIENT_ID: config.get('KAFKA_CLIENT_ID', { infer: true }),
    KAFKA_CONSUMER_GROUP: config.get('KAFKA_CONSUMER_GROUP', { infer: true }),
  }),
};
