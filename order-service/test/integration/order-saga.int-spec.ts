import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types';
import { OrdersService } from '../../src/orders/orders.service';
import { FakeUserService } from './support/fake-user-service';
import { anEvent, TestPublisher, TopicProbe, testKafka } from './support/kafka';
import { RunningOrderService, startOrderService, truncateAll } from './support/order-service-app';
import { waitUntil } from './support/wait';

interface OrderBody {
  id: string;
  status: string;
  history: { from: string | null; to: string; trigger: string }[];
}

describe('the order saga: cancel, refund, late payment (real PostgreSQL and Kafka)', () => {
  const userService = new FakeUserService();
  let sut: RunningOrderService;
  let http: App;
  let probe: TopicProbe;
  let publisher: TestPublisher;

  beforeAll(async () => {
    await userService.start();
    sut = await startOrderService({ consumerGroup: `order-service-it-saga-${randomUUID()}`, userServiceUrl: userService.url });
    http = sut.app.getHttpServer() as App;
    const kafka = testKafka();
    probe = await new TopicProbe(kafka).start(['order.cancelled', 'order.refund-requested', 'payment.refunded.dlq']);
    publisher = await new TestPublisher(kafka).start();
  });

  afterAll(async () => {
    await publisher?.stop();
    await probe?.stop();
    await sut?.close();
    await userService.stop();
  });

  beforeEach(async () => {
    userService.reset();
    await truncateAll(sut.dataSource);
  });

  const anOrder = async (userId = randomUUID()): Promise<{ id: string; userId: string }> => {
    userService.users.add(userId);
    const res = await request(http).post('/orders').send({ userId, items: [{ productId: 'product-1', quantity: 2, price: 10.15 }] }).expect(201);
    return { id: res.body.id as string, userId };
  };
  const statusOf = async (id: string): Promise<string> => ((await request(http).get(`/orders/${id}`).expect(200)).body as OrderBody).status;
  const until = (id: string, status: string) => waitUntil(async () => (await statusOf(id)) === status, `order ${id} ${status}`);
  const cancel = (id: string) => request(http).post(`/orders/${id}/cancel`);
  const refundRequests = (id: string) => probe.of('order.refund-requested', id).map((m) => JSON.parse(m.value as string).data);

  const pay = async (orderId: string, paymentId = randomUUID(), event = anEvent('PaymentCompleted', { paymentId, orderId, amount: '20.30' })) => {
    await publisher.publish('payment.completed', orderId, event);
    return { paymentId, event };
  };
  const refunded = async (orderId: string, paymentId: string, over: Record<string, unknown> = {}) => {
    const event = anEvent('PaymentRefunded', { refundId: randomUUID(), paymentId, orderId, amount: '20.30' }, over);
    await publisher.publish('payment.refunded', orderId, event);
    return event;
  };

  it('cancels a pending order at once, tells order.cancelled, and records the step in its history', async () => {
    const order = await anOrder();
    const res = await cancel(order.id).expect(200);
    expect((res.body as OrderBody).status).toBe('cancelled');
    expect((res.body as OrderBody).history.map((h) => [h.from, h.to, h.trigger])).toEqual([
      [null, 'pending', 'created'],
      ['pending', 'cancelled', 'cancel'],
    ]);
    const [message] = await probe.waitFor('order.cancelled', order.id);
    expect(JSON.parse(message.value as string).data).toEqual({ orderId: order.id, userId: order.userId, cancelledFrom: 'pending' });
    expect(refundRequests(order.id)).toEqual([]);
  });

  it('refuses a cancel whose body holds a property (a reason it would not keep) with 400, the order left as it was', async () => {
    const order = await anOrder();
    const res = await request(http).post(`/orders/${order.id}/cancel`).send({ reason: 'changed my mind' }).expect(400);
    expect(res.body.message).toEqual(['property reason should not exist: this route takes no body']);
    expect(await statusOf(order.id)).toBe('pending');
    expect(((await request(http).post(`/orders/${order.id}/cancel`).send({}).expect(200)).body as OrderBody).status).toBe('cancelled');
  });

  it('cancels a paid order through refund_pending to refunded, asking for exactly one refund of the payment', async () => {
    const order = await anOrder();
    const { paymentId } = await pay(order.id);
    await until(order.id, 'paid');

    expect(((await cancel(order.id).expect(200)).body as OrderBody).status).toBe('refund_pending');
    // A second cancel while the refund is under way: the order as it is, no second refund.
    expect(((await cancel(order.id).expect(200)).body as OrderBody).status).toBe('refund_pending');
    await probe.waitFor('order.refund-requested', order.id);
    expect(refundRequests(order.id)).toEqual([{ orderId: order.id, paymentId, amount: '20.30', reason: 'cancelled' }]);

    const event = await refunded(order.id, paymentId);
    await until(order.id, 'refunded');
    // The same event again, and another event saying the same: nothing moves.
    await publisher.publish('payment.refunded', order.id, event);
    await refunded(order.id, paymentId);
    await waitUntil(async () => {
      const rows = (await sut.dataSource.query(`SELECT count(*)::int AS n FROM processed_events WHERE consumer = 'order-service.payment-refunded'`)) as { n: number }[];
      return rows[0].n === 2;
    }, 'both refund events handled');

    const body = (await request(http).get(`/orders/${order.id}`).expect(200)).body as OrderBody;
    expect(body.history.map((h) => h.to)).toEqual(['pending', 'paid', 'refund_pending', 'refunded']);
    const refusal = await cancel(order.id).expect(409);
    expect(refusal.body.message).toBe(`order ${order.id} is refunded and cannot be cancelled`);
    expect(refundRequests(order.id)).toHaveLength(1);
  });

  it('answers a cancel with the state the cancel made, even when the refund lands the moment it commits', async () => {
    const order = await anOrder();
    await pay(order.id);
    await until(order.id, 'paid');
    // payment.refunded can come back within milliseconds of the cancel's commit. Stand-in: another
    // writer reaches the order just as the answer is read; it gets the row only once the cancel's
    // transaction is over (or gives up after 300 ms).
    const orders = sut.app.get(OrdersService);
    const read = orders.get.bind(orders);
    const spy = jest.spyOn(orders, 'get').mockImplementationOnce(async (id, scope) => {
      const writer = sut.dataSource.createQueryRunner();
      await writer.connect();
      await writer.startTransaction();
      try {
        await writer.query(`SET LOCAL lock_timeout = '300ms'`);
        await writer.query(`UPDATE orders SET status = 'refunded' WHERE id = $1`, [id]);
        await writer.commitTransaction();
      } catch {
        await writer.rollbackTransaction();
      } finally {
        await writer.release();
      }
      return read(id, scope);
    });
    try {
      const res = await cancel(order.id).expect(200);
      expect((res.body as OrderBody).status).toBe('refund_pending');
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('refunds a payment that completes after the order was cancelled, and never makes it paid', async () => {
    const order = await anOrder();
    await cancel(order.id).expect(200);
    const { paymentId, event } = await pay(order.id);
    await until(order.id, 'refund_pending');
    await publisher.publish('payment.completed', order.id, event); // redelivered: still one refund
    await probe.waitFor('order.refund-requested', order.id);
    expect(refundRequests(order.id)).toEqual([{ orderId: order.id, paymentId, amount: '20.30', reason: 'late_payment' }]);

    await refunded(order.id, paymentId);
    await until(order.id, 'refunded');
    const body = (await request(http).get(`/orders/${order.id}`).expect(200)).body as OrderBody;
    expect(body.history.map((h) => h.to)).toEqual(['pending', 'cancelled', 'refund_pending', 'refunded']);
    expect(refundRequests(order.id)).toHaveLength(1);
  });

  it('shows a refund that ran out of attempts as refund_failed, and a redriven success as refunded', async () => {
    const order = await anOrder();
    const { paymentId } = await pay(order.id);
    await until(order.id, 'paid');
    await cancel(order.id).expect(200);
    const failure = anEvent('PaymentRefundFailed', { refundId: randomUUID(), paymentId, orderId: order.id, amount: '20.30', attempts: 3, reason: 'refund declined' });
    await publisher.publish('payment.refund-failed', order.id, failure);
    await until(order.id, 'refund_failed');
    expect((await cancel(order.id).expect(409)).body.message).toBe(`order ${order.id} is refund_failed and cannot be cancelled`);

    await refunded(order.id, paymentId);
    await until(order.id, 'refunded');
  });

  it.each(['failed'])('refuses to cancel a %s order with 409 naming the status', async (status) => {
    const order = await anOrder();
    await publisher.publish('payment.failed', order.id, anEvent('PaymentFailed', { paymentId: randomUUID(), orderId: order.id, amount: '20.30', reason: 'declined' }));
    await until(order.id, status);
    const res = await cancel(order.id).expect(409);
    expect(res.body).toMatchObject({ statusCode: 409, error: 'Conflict', message: `order ${order.id} is failed and cannot be cancelled` });
  });

  it('lets a user cancel only their own order: another user\'s is a 404, an admin may cancel any', async () => {
    const order = await anOrder();
    await cancel(order.id).set('X-User-Id', randomUUID()).set('X-User-Roles', 'user').expect(404);
    expect(await statusOf(order.id)).toBe('pending');
    await cancel(order.id).set('X-User-Id', order.userId).set('X-User-Roles', 'user').expect(200);

    const other = await anOrder();
    await cancel(other.id).set('X-User-Id', randomUUID()).set('X-User-Roles', 'admin').expect(200);
  });

  it('answers 404 for an unknown order and 400 for a non-uuid id, changing nothing', async () => {
    await cancel(randomUUID()).expect(404);
    const res = await cancel('not-a-uuid').expect(400);
    expect(res.body).toMatchObject({ statusCode: 400 });
  });

  it('dead-letters a refund event that is not valid, naming the field', async () => {
    const orderId = randomUUID();
    await publisher.publish('payment.refunded', orderId, anEvent('PaymentRefunded', { refundId: randomUUID(), paymentId: randomUUID(), orderId, amount: 20.3 }));
    const [parked] = await probe.waitFor('payment.refunded.dlq', orderId);
    expect(parked.headers['x-dead-letter-reason']).toMatch(/amount/);
  });
});
