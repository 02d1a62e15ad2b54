// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ConsumerGroupMonitor } from './consumer-group-monitor';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { EventProcessor } from './event-processor';
import { KafkaHealthIndicator } from './kafka-health';
import { KAFKA_SETTINGS, kafkaSettingsProvider } from './kafka-settings';
import { KafkaProducer } from './kafka-producer';
import { Ledger } from './ledger';

@Global()
@Module({
  imports: [TerminusModule],
  providers: [kafkaSettingsProvider, KafkaProducer, DeadLetterPublisher, Ledger, EventProcessor, KafkaHealthIndicator, ConsumerGroupMonitor],
  exports: [KAFKA_SETTINGS, KafkaProducer, DeadLetterPublisher, EventProcessor, KafkaHealthIndicator, ConsumerGroupMonitor],
})
export class KafkaModule {}
