import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Payload } from '@nestjs/microservices';
import { Contracts } from '../shared/events/contracts';
import { Topics } from '../shared/events/topics';
import { EventProcessor } from '../shared/kafka/event-processor';
import { ORDER_CREATED_CONSUMER, PaymentsService } from './payments.service';

/** order.created -> one payment. Validation, retries and dead-lettering are the EventProcessor's. */
@Controller()
export class OrderCreatedConsumer {
  constructor(
    private readonly events: EventProcessor,
    private readonly payments: PaymentsService,
  ) {}

  @EventPattern(Topics.OrderCreated)
  async onOrderCreated(@Payload() raw: unknown, @Ctx() ctx: KafkaContext): Promise<void> {
    await this.events.process(Contracts.OrderCreated, raw, ctx, ORDER_CREATED_CONSUMER, (e) =>
      this.payments.payOnce(e, ctx.getHeartbeat()),
    );
  }
}
