import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { orderStatusChanges, userToPaidChain } from '../orders/order-metrics';
import { PaymentOutcome, transitionFor } from '../orders/order-status';
import { Order } from '../orders/order.entity';
import { OrderNotFoundError } from '../orders/orders.errors';
import { PaymentCompletedData, PaymentFailedData } from '../shared/events/contracts';
import { EventEnvelope } from '../shared/events/envelope';
import { EffectOutcome } from '../shared/kafka/event-processor';
import { firstDelivery } from '../shared/outbox/outbox.service';

export const PAYMENT_COMPLETED_CONSUMER = 'order-service.payment-completed';
export const PAYMENT_FAILED_CONSUMER = 'order-service.payment-failed';

/** Moves an order from pending to paid or failed as payment-service reports. */
@Injectable()
export class PaymentOutcomesService {
  private readonly logger = new Logger(PaymentOutcomesService.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  applyPaymentCompleted(event: EventEnvelope<string, PaymentCompletedData>): Promise<EffectOutcome> {
    return this.apply(event, PAYMENT_COMPLETED_CONSUMER, 'paid');
  }

  applyPaymentFailed(event: EventEnvelope<string, PaymentFailedData>): Promise<EffectOutcome> {
    return this.apply(event, PAYMENT_FAILED_CONSUMER, 'failed');
  }

  /**
   * Idempotent by eventId; an order already paid or failed is never changed again (a late or
   * conflicting event is logged and acknowledged). An unknown order id is a poison message:
   * order.created always commits before payment-service can see the order, so no retry can help;
   * OrderNotFoundError makes EventProcessor dead-letter it with the reason.
   */
  private async apply(
    event: EventEnvelope<string, PaymentCompletedData | PaymentFailedData>,
    consumer: string,
    outcome: PaymentOutcome,
  ): Promise<EffectOutcome> {
    const { orderId } = event.data;
    const result = await this.dataSource.transaction(async (manager) => {
      if (!(await firstDelivery(manager, consumer, event.eventId))) return 'duplicate' as const;
      const order = await manager.findOne(Order, { where: { id: orderId }, lock: { mode: 'pessimistic_write' } });
      if (!order) throw new OrderNotFoundError(orderId);
      const transition = transitionFor(order.status, outcome);
      if (!transition.change) {
        this.logger.warn({ orderId, status: order.status, outcome, reason: transition.reason }, 'payment event ignored');
        return 'unchanged' as const;
      }
      await manager.update(Order, { id: orderId }, { status: transition.to });
      return { changed: order };
    });
    if (typeof result === 'object') this.count(result.changed, outcome);
    return result === 'duplicate' ? 'duplicate' : 'processed';
  }

  private count(order: Order, outcome: PaymentOutcome): void {
    orderStatusChanges.inc({ status: outcome, kind: order.kind });
    if (outcome === 'paid' && order.chainStartedAt) userToPaidChain.observe((Date.now() - order.chainStartedAt.getTime()) / 1000);
  }
}
