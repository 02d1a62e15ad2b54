import { Controller } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Contracts, RefundRequestedData } from '../shared/events/contracts';
import { EventEnvelope } from '../shared/events/envelope';
import { Delivery, HandlerResult } from '../shared/kafka/event-processor';
import { OnEvent } from '../shared/kafka/on-event';
import { RefundExhaustedError } from './payments.errors';
import { RefundsService } from './refunds.service';

/** order.refund-requested -> the payment given back, once. */
@ApiExcludeController()
@Controller()
export class RefundRequestedConsumer {
  constructor(private readonly refunds: RefundsService) {}

  /**
   * The provider's calls (and their retries) happen outside any transaction. When they all fail,
   * the failure is recorded and told (payment.refund-failed) and the request is dead-lettered
   * with the reason: visible to an operator, who can redrive it once the provider is back.
   */
  @OnEvent(Contracts.RefundRequested, 'payment-service.refund-requested', { waitsOutsideTransaction: true })
  async refund(event: EventEnvelope<string, RefundRequestedData>, delivery: Delivery): Promise<HandlerResult> {
    if (await delivery.alreadyApplied()) return 'duplicate';
    const payment = await this.refunds.paymentToRefund(event.data);
    if (await this.refunds.isRefunded(payment.id)) return 'duplicate';
    const outcome = await this.refunds.attempt(() => delivery.heartbeat());
    if (outcome.ok) {
      await delivery.applyOnce(() => this.refunds.recordCompleted(payment, outcome.attempts));
      return;
    }
    await this.refunds.recordFailed(payment, outcome.attempts, outcome.reason);
    throw new RefundExhaustedError(`refund of payment ${payment.id} failed after ${outcome.attempts} attempts: ${outcome.reason}`);
  }
}
