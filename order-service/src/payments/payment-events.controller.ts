import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Payload } from '@nestjs/microservices';
import { ApiExcludeController } from '@nestjs/swagger';
import { Contracts } from '../shared/events/contracts';
import { Topics } from '../shared/events/topics';
import { EventProcessor } from '../shared/kafka/event-processor';
import {
  PAYMENT_COMPLETED_CONSUMER,
  PAYMENT_FAILED_CONSUMER,
  PaymentOutcomesService,
} from './payment-outcomes.service';

/** Consumes payment-service's outcomes. Validation, retries and dead-lettering are EventProcessor's. */
@ApiExcludeController()
@Controller()
export class PaymentEventsController {
  constructor(
    private readonly events: EventProcessor,
    private readonly payments: PaymentOutcomesService,
  ) {}

  @EventPattern(Topics.PaymentCompleted)
  onPaymentCompleted(@Payload() raw: unknown, @Ctx() ctx: KafkaContext): Promise<void> {
    return this.events.process(Contracts.PaymentCompleted, raw, ctx, PAYMENT_COMPLETED_CONSUMER, (e) =>
      this.payments.applyPaymentCompleted(e),
    );
  }

  @EventPattern(Topics.PaymentFailed)
  onPaymentFailed(@Payload() raw: unknown, @Ctx() ctx: KafkaContext): Promise<void> {
    return this.events.process(Contracts.PaymentFailed, raw, ctx, PAYMENT_FAILED_CONSUMER, (e) =>
      this.payments.applyPaymentFailed(e),
    );
  }
}
