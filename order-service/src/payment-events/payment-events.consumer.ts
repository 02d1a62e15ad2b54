import { Controller } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { OrdersService } from '../orders/orders.service';
import {
  Contracts,
  PaymentCompletedData,
  PaymentFailedData,
  PaymentRefundedData,
  PaymentRefundFailedData,
} from '../shared/events/contracts';
import { EventEnvelope } from '../shared/events/envelope';
import { HandlerResult } from '../shared/kafka/event-processor';
import { OnEvent } from '../shared/kafka/on-event';

/** Consumers of payment-service's outcomes: each moves its order on (the state machine decides how). */
@ApiExcludeController()
@Controller()
export class PaymentEventsConsumer {
  constructor(private readonly orders: OrdersService) {}

  @OnEvent(Contracts.PaymentCompleted, 'order-service.payment-completed')
  async paid(event: EventEnvelope<string, PaymentCompletedData>): Promise<HandlerResult> {
    const { orderId, paymentId, amount } = event.data;
    if ((await this.orders.applyPaymentOutcome(orderId, 'paid', { paymentId, amount })) === 'unchanged') return 'duplicate';
  }

  @OnEvent(Contracts.PaymentFailed, 'order-service.payment-failed')
  async failed(event: EventEnvelope<string, PaymentFailedData>): Promise<HandlerResult> {
    if ((await this.orders.applyPaymentOutcome(event.data.orderId, 'failed')) === 'unchanged') return 'duplicate';
  }

  @OnEvent(Contracts.PaymentRefunded, 'order-service.payment-refunded')
  async refunded(event: EventEnvelope<string, PaymentRefundedData>): Promise<HandlerResult> {
    if ((await this.orders.applyRefundOutcome(event.data.orderId, 'refund_completed')) === 'unchanged') return 'duplicate';
  }

  @OnEvent(Contracts.PaymentRefundFailed, 'order-service.payment-refund-failed')
  async refundFailed(event: EventEnvelope<string, PaymentRefundFailedData>): Promise<HandlerResult> {
    if ((await this.orders.applyRefundOutcome(event.data.orderId, 'refund_failed')) === 'unchanged') return 'duplicate';
  }
}
