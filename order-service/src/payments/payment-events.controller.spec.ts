import { randomUUID } from 'node:crypto';
import { OrderNotFoundError } from '../orders/orders.errors';
import { PaymentCompletedData, PaymentFailedData } from '../shared/events/contracts';
import { EventEnvelope } from '../shared/events/envelope';
import { DependencyUnavailableError } from '../shared/http/domain-error';
import { DLQ_HEADERS } from '../shared/kafka/dead-letter.publisher';
import { EffectOutcome } from '../shared/kafka/event-processor';
import { aKafkaContext, anEnvelope, anEventProcessor } from '../testing/kafka-fakes';
import { PaymentEventsController } from './payment-events.controller';
import { PaymentOutcomesService } from './payment-outcomes.service';

class FakePaymentOutcomes {
  readonly completed: EventEnvelope<string, PaymentCompletedData>[] = [];
  readonly failed: EventEnvelope<string, PaymentFailedData>[] = [];
  failures: Error[] = [];

  async applyPaymentCompleted(e: EventEnvelope<string, PaymentCompletedData>): Promise<EffectOutcome> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.completed.push(e);
    return 'processed';
  }

  async applyPaymentFailed(e: EventEnvelope<string, PaymentFailedData>): Promise<EffectOutcome> {
    this.failed.push(e);
    return 'processed';
  }
}

function setup() {
  const { processor, producer } = anEventProcessor();
  const payments = new FakePaymentOutcomes();
  const sut = new PaymentEventsController(processor, payments as unknown as PaymentOutcomesService);
  return { sut, payments, producer };
}

const aPaymentCompleted = (orderId = randomUUID()) =>
  anEnvelope('PaymentCompleted', { paymentId: randomUUID(), orderId, amount: '59.98' });

describe('PaymentEventsController', () => {
  it('hands payment.completed and payment.failed to the service', async () => {
    const { sut, payments, producer } = setup();
    const completed = aPaymentCompleted();
    const failed = anEnvelope('PaymentFailed', { paymentId: randomUUID(), orderId: randomUUID(), amount: '1.00', reason: 'card declined' });
    await sut.onPaymentCompleted(completed, aKafkaContext('payment.completed', completed));
    await sut.onPaymentFailed(failed, aKafkaContext('payment.failed', failed));
    expect(payments.completed.map((e) => e.eventId)).toEqual([completed.eventId]);
    expect(payments.failed.map((e) => e.data.reason)).toEqual(['card declined']);
    expect(producer.sent).toEqual([]);
  });

  it('dead-letters a payment for an unknown order at once, naming the order', async () => {
    const { sut, payments, producer } = setup();
    const event = aPaymentCompleted();
    payments.failures = [new OrderNotFoundError(event.data.orderId as string)];
    await sut.onPaymentCompleted(event, aKafkaContext('payment.completed', event));
    expect(producer.sent.map((r) => r.topic)).toEqual(['payment.completed.dlq']);
    expect(producer.headersOf(0)[DLQ_HEADERS.reason]).toBe(`ORDER.NOT_FOUND: order ${event.data.orderId} not found`);
    expect(producer.headersOf(0)[DLQ_HEADERS.consumer]).toBe('order-service.payment-completed');
  });

  it('retries an unavailable dependency and succeeds when it is back', async () => {
    const { sut, payments, producer } = setup();
    payments.failures = [new DependencyUnavailableError('database restarting')];
    const event = aPaymentCompleted();
    await sut.onPaymentCompleted(event, aKafkaContext('payment.completed', event));
    expect(payments.completed).toHaveLength(1);
    expect(producer.sent).toEqual([]);
  });

  it('dead-letters a money amount that is not a decimal string', async () => {
    const { sut, payments, producer } = setup();
    const event = anEnvelope('PaymentCompleted', { paymentId: randomUUID(), orderId: randomUUID(), amount: 59.98 });
    await sut.onPaymentCompleted(event, aKafkaContext('payment.completed', event));
    expect(payments.completed).toEqual([]);
    expect(String(producer.headersOf(0)[DLQ_HEADERS.reason])).toMatch(/^invalid data: amount/);
  });
});
