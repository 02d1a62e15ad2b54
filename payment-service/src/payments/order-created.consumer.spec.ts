import { Logger } from '@nestjs/common';
import { KafkaContext } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { Contracts, OrderCreatedData } from '../shared/events/contracts';
import { createEnvelope, EventEnvelope } from '../shared/events/envelope';
import { DeadLetterPublisher } from '../shared/kafka/dead-letter.publisher';
import { EffectOutcome, EventProcessor } from '../shared/kafka/event-processor';
import { OrderCreatedConsumer } from './order-created.consumer';
import { Heartbeat } from './payment-simulator';
import { ORDER_CREATED_CONSUMER, PaymentsService } from './payments.service';

class RecordingPayments {
  calls: { event: EventEnvelope<string, OrderCreatedData>; heartbeat: Heartbeat | undefined }[] = [];
  async payOnce(event: EventEnvelope<string, OrderCreatedData>, heartbeat?: Heartbeat): Promise<EffectOutcome> {
    this.calls.push({ event, heartbeat });
    return 'processed';
  }
}

class RecordingDeadLetters {
  parked: { consumer: string; reason: string }[] = [];
  async park(_ctx: KafkaContext, consumer: string, reason: string): Promise<void> {
    this.parked.push({ consumer, reason });
  }
}

function kafkaContext(value: unknown, heartbeat: Heartbeat): KafkaContext {
  const message = { key: Buffer.from('k'), value, offset: '7', headers: {}, timestamp: '0', attributes: 0 };
  return new KafkaContext([message as never, 0, 'order.created', {} as never, heartbeat, {} as never]);
}

describe('OrderCreatedConsumer', () => {
  beforeAll(() => Logger.overrideLogger(false));

  function build() {
    const payments = new RecordingPayments();
    const deadLetters = new RecordingDeadLetters();
    const processor = new EventProcessor(deadLetters as unknown as DeadLetterPublisher);
    const sut = new OrderCreatedConsumer(processor, payments as unknown as PaymentsService);
    return { sut, payments, deadLetters, processor };
  }

  it('hands the validated event to payOnce, with the consumer heartbeat', async () => {
    const { sut, payments, deadLetters } = build();
    const data = { orderId: randomUUID(), userId: randomUUID(), kind: 'regular', items: [{ productId: 'product-1', quantity: 1, price: '9.99' }], totalAmount: '9.99' };
    const envelope = createEnvelope('OrderCreated', 1, data, 'req-1');
    const heartbeat = jest.fn(() => Promise.resolve());

    await sut.onOrderCreated(envelope, kafkaContext(JSON.stringify(envelope), heartbeat));

    expect(deadLetters.parked).toEqual([]);
    expect(payments.calls).toHaveLength(1);
    expect(payments.calls[0].event).toMatchObject({ eventId: envelope.eventId, requestId: 'req-1', data: { orderId: data.orderId, totalAmount: '9.99' } });
    expect(payments.calls[0].heartbeat).toBe(heartbeat);
  });

  it('delegates exactly once to EventProcessor.process with the order.created contract and its consumer name', async () => {
    const { sut, processor } = build();
    const process = jest.spyOn(processor, 'process').mockResolvedValue();
    const ctx = kafkaContext('{}', () => Promise.resolve());

    await sut.onOrderCreated('raw', ctx);

    expect(process).toHaveBeenCalledTimes(1);
    expect(process).toHaveBeenCalledWith(Contracts.OrderCreated, 'raw', ctx, ORDER_CREATED_CONSUMER, expect.any(Function));
    expect(ORDER_CREATED_CONSUMER).toBe('payment-service.order-created');
  });

  it('parks a message that is not an order.created event and pays nothing', async () => {
    const { sut, payments, deadLetters } = build();

    await sut.onOrderCreated('not json', kafkaContext('not json', () => Promise.resolve()));

    expect(payments.calls).toEqual([]);
    expect(deadLetters.parked).toEqual([{ consumer: ORDER_CREATED_CONSUMER, reason: 'value is not JSON' }]);
  });
});
