import { Controller } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { OrdersService } from '../orders/orders.service';
import { Contracts, PaymentCompletedData, PaymentFailedData } from '../shared/events/contracts';
import { EventEnvelope } from '../shared/events/envelope';
import { HandlerResult } from '../shared/kafka/event-processor';
import { OnEvent } from '../shared/kafka/on-event';

/** Consumers of payment-service's outcomes: each moves its order on (OrdersService decides how). */
@ApiExcludeController()
@Controller()
export class PaymentEventsConsumer {
  constructor(private readonly orders: OrdersService) {}

  @OnEvent(Contracts.PaymentCompleted, 'order-service.payment-completed')
  async paid(event: EventEnvelope<string, PaymentCompletedData>): Promise<HandlerResult> {
    if ((await this.orders.applyPaymentOutcome(event.data.orderId, 'paid')) === 'unchanged') return 'duplicate';
  }

  @OnEvent(Contracts.PaymentFailed, 'order-service.payment-failed')
  async failed(event: EventEnvelope<string, PaymentFailedData>): Promise<HandlerResult> {
    if ((await this.orders.applyPaymentOutcome(event.data.orderId, 'failed')) === 'unchanged') return 'duplicate';
  }
}
