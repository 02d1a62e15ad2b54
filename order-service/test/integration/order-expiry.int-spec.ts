import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types';
import { OrderExpiry } from '../../src/orders/order-expiry';
import { FakeUserService } from './support/fake-user-service';
import { anEvent, TestPublisher, TopicProbe, testKafka } from './support/kafka';
import { RunningOrderService, startOrderService, truncateAll } from './support/order-service-app';
import { waitUntil } from './support/wait';

/** A short deadline and a fast sweep, so that expiry happens within a test. */
const EXPIRY_ENV = { ORDER_PAYMENT_TIMEOUT_MS: '1500', ORDER_EXPIRY_SWEEP_MS: '200' };

describe('the payment deadline (real PostgreSQL and Kafka)', () => {
  const userService = new FakeUserService();
  const group = `order-service-it-expiry-${randomUUID()}`;
  let sut: RunningOrderService;
  let probe: TopicProbe;
  let publisher: TestPublisher;
  const http = () => sut.app.getHttpServer() as App;
  const start = () => startOrderService({ consumerGroup: group, userServiceUrl: userService.url, env: EXPIRY_ENV });

  beforeAll(async () => {
    await userService.start();
    sut = await start();
    const kafka = testKafka();
    probe = await new TopicProbe(kafka).start(['order.expired', 'order.refund-requested']);
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

  const anOrder = async (): Promise<string> => {
    const userId = randomUUID();
    userService.users.add(userId);
    const res = await request(http()).post('/orders').send({ userId, items: [{ productId: 'product-1', quantity: 1, price: 5 }] }).expect(201);
    return res.body.id as string;
  };
  const statusOf = async (id: string) => (await request(http()).get(`/orders/${id}`).expect(200)).body.status as string;

  it('expires an order left pending past the deadline, once, and refunds a payment that arrives after', async () => {
    const id = await anOrder();
    expect(await statusOf(id)).toBe('pending');
    await waitUntil(async () => (await statusOf(id)) === 'expired', 'the order expired', 10_000);
    const [message] = await probe.waitFor('order.expired', id);
    expect(JSON.parse(message.value as string).data).toMatchObject({ orderId: id });

    const paymentId = randomUUID();
    await publisher.publish('payment.completed', id, anEvent('PaymentCompleted', { paymentId, orderId: id, amount: '5.00' }));
    await waitUntil(async () => (await statusOf(id)) === 'refund_pending', 'the late payment refunded', 10_000);
    const [refund] = await probe.waitFor('order.refund-requested', id);
    expect(JSON.parse(refund.value as string).data).toEqual({ orderId: id, paymentId, amount: '5.00', reason: 'late_payment' });
    expect(probe.of('order.expired', id)).toHaveLength(1);
  });

  it('expires every overdue order exactly once when several sweeps run side by side (as on several instances)', async () => {
    const ids = await Promise.all(Array.from({ length: 30 }, () => anOrder()));
    await sut.dataSource.query(`UPDATE orders SET created_at = now() - interval '1 hour' WHERE id = ANY($1)`, [ids]);
    const expiry = sut.app.get(OrderExpiry);
    await Promise.all([expiry.sweep(), expiry.sweep(), expiry.sweep(), expiry.sweep()]);

    const counts = async () =>
      ((await sut.dataSource.query(
        `SELECT count(*) FILTER (WHERE status = 'expired')::int AS expired,
                (SELECT count(*)::int FROM order_status_history WHERE trigger = 'expire') AS steps
           FROM orders`,
      )) as { expired: number; steps: number }[])[0];
    // The service's own timed sweep is a fifth one side by side: it may hold some of the orders
    // (the four above skip what it locked) and commit a moment after them.
    await waitUntil(async () => (await counts()).expired === 30, 'every order expired', 5000);
    expect(await counts()).toEqual({ expired: 30, steps: 30 });
    // One order.expired each, as published (the relay empties the outbox meanwhile, so it is counted on the topic).
    for (const id of ids) await probe.waitFor('order.expired', id);
    await new Promise((r) => setTimeout(r, 500));
    expect(ids.filter((id) => probe.of('order.expired', id).length !== 1)).toEqual([]);
  });

  it('expires after a restart an order whose deadline passed while the service was down', async () => {
    const id = await anOrder();
    await sut.close();
    await new Promise((r) => setTimeout(r, 2000));
    sut = await start();
    await waitUntil(async () => (await statusOf(id)) === 'expired', 'the order expired after the restart', 10_000);
    await probe.waitFor('order.expired', id);
    await new Promise((r) => setTimeout(r, 600));
    expect(probe.of('order.expired', id)).toHaveLength(1);
  });

  it('leaves a paid order alone when its deadline passes', async () => {
    const id = await anOrder();
    await publisher.publish('payment.completed', id, anEvent('PaymentCompleted', { paymentId: randomUUID(), orderId: id, amount: '5.00' }));
    await waitUntil(async () => (await statusOf(id)) === 'paid', 'the order paid', 10_000);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await statusOf(id)).toBe('paid');
    expect(probe.of('order.expired', id)).toHaveLength(0);
  });
});
