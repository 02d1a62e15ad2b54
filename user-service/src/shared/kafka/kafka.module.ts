// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ConsumerGroupMonitor } from './consumer-group-monitor';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { EventProcessor } from './event-processor';
import { KafkaHealthIndicator } from './kafka-health';
import { KafkaProducer } from './kafka-producer';

@Global()
@Module({
  imports: [TerminusModule],
  providers: [KafkaProducer, DeadLetterPublisher, EventProcessor, KafkaHealthIndicator, ConsumerGroupMonitor],
  exports: [KafkaProducer, DeadLetterPublisher, EventProcessor, KafkaHealthIndicator, ConsumerGroupMonitor],
})
export class KafkaModule {}
