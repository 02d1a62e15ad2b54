import { Controller } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Contracts, OrderCreatedData } from '../shared/events/contracts';
import { EventEnvelope } from '../shared/events/envelope';
import { Delivery, HandlerResult } from '../shared/kafka/event-processor';
import { OnEvent } from '../shared/kafka/on-event';
import { PaymentsService } from './payments.service';

/** order.created -> one payment for the order. */
@ApiExcludeController()
@Controller()
export class OrderCreatedConsumer {
  constructor(private readonly payments: PaymentsService) {}

  /**
   * The provider's time is spent outside any transaction (no pooled connection is held while it
   * decides); the payment, its outcome event and the ledger entry then commit together.
   */
  @OnEvent(Contracts.OrderCreated, 'payment-service.order-created', { waitsOutsideTransaction: true, commitsTogether: true })
  async pay(event: EventEnvelope<string, OrderCreatedData>, delivery: Delivery): Promise<HandlerResult> {
    // A redelivery, or another event about a paid order, answers at once instead of waiting again.
    // One read covers both: once this event was applied, its order has a payment (the ledger
    // entry and the payment commit together), so the ledger need not be asked as well.
    if (await this.payments.isPaid(event.data.orderId)) return 'duplicate';
    const decision = await this.payments.decide(delivery.heartbeat);
    await delivery.applyOnce(() => this.payments.record(event.data, decision));
  }
}
