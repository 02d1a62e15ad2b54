import { randomUUID } from 'node:crypto';
import { PaymentOutcome } from '../orders/order-status';
import { OrderNotFoundError } from '../orders/orders.errors';
import { OrdersService, RefundOutcome } from '../orders/orders.service';
import { DependencyUnavailableError } from '../shared/errors/domain-error';
import { aKafkaContext, anEnvelope, anEventProcessor, deliver, withProcessor } from '../shared/kafka/consumers.testing';
import { DLQ_HEADERS } from '../shared/kafka/dead-letter.publisher';
import { PaymentEventsConsumer } from './payment-events.consumer';

/** The order aggregate's side of a payment outcome, with the units of work it ran in. */
class FakeOrders {
  readonly applied: { orderId: string; outcome: PaymentOutcome | RefundOutcome }[] = [];
  failures: Error[] = [];

  async applyPaymentOutcome(orderId: string, outcome: PaymentOutcome): Promise<'changed' | 'unchanged'> {
    return this.record(orderId, outcome);
  }

  async applyRefundOutcome(orderId: string, outcome: RefundOutcome): Promise<'changed' | 'unchanged'> {
    return this.record(orderId, outcome);
  }

  private async record(orderId: string, outcome: PaymentOutcome | RefundOutcome): Promise<'changed' | 'unchanged'> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.applied.push({ orderId, outcome });
    return 'changed';
  }
}

function setup() {
  const { processor, producer, unitOfWork } = anEventProcessor();
  const orders = new FakeOrders();
  const sut = withProcessor(new PaymentEventsConsumer(orders as unknown as OrdersService), processor);
  return { sut, orders, producer, unitOfWork };
}

const aPaymentCompleted = (orderId = randomUUID()) =>
  anEnvelope('PaymentCompleted', { paymentId: randomUUID(), orderId, amount: '59.98' });

describe('PaymentEventsConsumer', () => {
  it('moves the order on for payment.completed and payment.failed, each in a unit of work', async () => {
    const { sut, orders, producer, unitOfWork } = setup();
    const completed = aPaymentCompleted();
    const failed = anEnvelope('PaymentFailed', { paymentId: randomUUID(), orderId: randomUUID(), amount: '1.00', reason: 'card declined' });
    await deliver(sut, 'paid', completed, aKafkaContext('payment.completed', completed));
    await deliver(sut, 'failed', failed, aKafkaContext('payment.failed', failed));
    expect(orders.applied).toEqual([
      { orderId: completed.data.orderId, outcome: 'paid' },
      { orderId: failed.data.orderId, outcome: 'failed' },
    ]);
    expect(unitOfWork.commits).toBe(2);
    expect(producer.sent).toEqual([]);
  });

  it('moves the order on for payment.refunded and payment.refund-failed', async () => {
    const { sut, orders } = setup();
    const base = { refundId: randomUUID(), paymentId: randomUUID(), orderId: randomUUID(), amount: '9.99' };
    const refunded = anEnvelope('PaymentRefunded', base);
    const failed = anEnvelope('PaymentRefundFailed', { ...base, attempts: 3, reason: 'refund declined' });
    await deliver(sut, 'refunded', refunded, aKafkaContext('payment.refunded', refunded));
    await deliver(sut, 'refundFailed', failed, aKafkaContext('payment.refund-failed', failed));
    expect(orders.applied).toEqual([
      { orderId: base.orderId, outcome: 'refund_completed' },
      { orderId: base.orderId, outcome: 'refund_failed' },
    ]);
  });

  it('applies a redelivered event once: the ledger remembers it', async () => {
    const { sut, orders } = setup();
    const event = aPaymentCompleted();
    await deliver(sut, 'paid', event, aKafkaContext('payment.completed', event));
    await deliver(sut, 'paid', event, aKafkaContext('payment.completed', event));
    expect(orders.applied).toHaveLength(1);
  });

  it('dead-letters a payment for an unknown order at once, naming the order', async () => {
    const { sut, orders, producer } = setup();
    const event = aPaymentCompleted();
    orders.failures = [new OrderNotFoundError(event.data.orderId as string)];
    await deliver(sut, 'paid', event, aKafkaContext('payment.completed', event));
    expect(producer.sent.map((r) => r.topic)).toEqual(['payment.completed.dlq']);
    expect(producer.headersOf(0)[DLQ_HEADERS.reason]).toBe(`ORDER.NOT_FOUND: order ${event.data.orderId} not found`);
    expect(producer.headersOf(0)[DLQ_HEADERS.consumer]).toBe('order-service.payment-completed');
  });

  it('retries an unavailable dependency and applies the event once when it is back (the failed try left no ledger entry)', async () => {
    const { sut, orders, producer, unitOfWork } = setup();
    orders.failures = [new DependencyUnavailableError('database restarting')];
    const event = aPaymentCompleted();
    await deliver(sut, 'paid', event, aKafkaContext('payment.completed', event));
    expect(orders.applied).toHaveLength(1);
    expect(unitOfWork.rollbacks).toBe(1);
    expect(producer.sent).toEqual([]);
  });

  it('dead-letters a money amount that is not a decimal string', async () => {
    const { sut, orders, producer } = setup();
    const event = anEnvelope('PaymentCompleted', { paymentId: randomUUID(), orderId: randomUUID(), amount: 59.98 });
    await deliver(sut, 'paid', event, aKafkaContext('payment.completed', event));
    expect(orders.applied).toEqual([]);
    expect(String(producer.headersOf(0)[DLQ_HEADERS.reason])).toMatch(/^invalid data: amount/);
  });
});
