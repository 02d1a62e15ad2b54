import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types';
import { WELCOME_ORDER_ITEMS } from '../../src/orders/welcome-order';
import { FakeUserService } from './support/fake-user-service';
import { anEvent, TestPublisher, TopicProbe, testKafka } from './support/kafka';
import { RunningOrderService, startOrderService, truncateAll } from './support/order-service-app';
import { recordStatements, unitOf } from './support/statements';
import { waitUntil } from './support/wait';

describe('order-service consuming events (real PostgreSQL and Kafka)', () => {
  const userService = new FakeUserService();
  let sut: RunningOrderService;
  let http: App;
  let probe: TopicProbe;
  let publisher: TestPublisher;

  beforeAll(async () => {
    await userService.start();
    sut = await startOrderService({ consumerGroup: `order-service-it-events-${randomUUID()}`, userServiceUrl: userService.url });
    http = sut.app.getHttpServer() as App;
    const kafka = testKafka();
    probe = await new TopicProbe(kafka).start(['order.created', 'user.created.dlq', 'payment.completed.dlq']);
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

  const aUserCreated = (userId: string, over: Record<string, unknown> = {}) =>
    anEvent('UserCreated', { userId, email: `${userId}@example.com`, name: 'Ann', role: 'user' }, over);

  const welcomeOrdersOf = async (userId: string): Promise<{ id: string; status: string; total: string }[]> =>
    sut.dataSource.query(
      "SELECT id, status, total_amount::text AS total FROM orders WHERE user_id = $1 AND kind = 'welcome'",
      [userId],
    );

  const seen = async (consumer: string, eventId: string): Promise<boolean> => {
    const rows: unknown[] = await sut.dataSource.query(
      'SELECT 1 FROM processed_events WHERE consumer = $1 AND event_id = $2',
      [consumer, eventId],
    );
    return rows.length === 1;
  };

  describe('user.created', () => {
    it('creates exactly one welcome order and publishes its order.created with the same requestId', async () => {
      const userId = randomUUID();
      const event = aUserCreated(userId);
      await publisher.publish('user.created', userId, event, { 'x-request-id': event.requestId });

      await waitUntil(async () => (await welcomeOrdersOf(userId)).length === 1, 'the welcome order');
      const [welcome] = await welcomeOrdersOf(userId);
      expect(welcome).toMatchObject({ status: 'pending', total: '0.01' });

      const [message] = await probe.waitFor('order.created', welcome.id);
      expect(message.headers['x-request-id']).toBe(event.requestId);
      const published = JSON.parse(message.value as string);
      expect(published.requestId).toBe(event.requestId);
      expect(published.data).toEqual({ orderId: welcome.id, userId, kind: 'welcome', items: WELCOME_ORDER_ITEMS, totalAmount: '0.01' });

      // The user is now known: an order is taken without asking user-service.
      await request(http).post('/orders').send({ userId, items: [{ productId: 'product-1', quantity: 1, price: 2 }] }).expect(201);
      expect(userService.requests).toEqual([]);

      const res = await request(http).get(`/orders?userId=${userId}`).expect(200);
      expect(res.body.map((o: { kind: string }) => o.kind)).toEqual(['regular', 'welcome']);
    });

    it('keeps one welcome order when the same event comes again, and when another event repeats the user', async () => {
      const userId = randomUUID();
      const first = aUserCreated(userId);
      await publisher.publish('user.created', userId, first);
      await waitUntil(() => seen('order-service.user-created', first.eventId), 'the first user.created');

      const again = aUserCreated(userId, { eventId: randomUUID() });
      await publisher.publish('user.created', userId, first); // redelivery: same eventId
      await publisher.publish('user.created', userId, again); // same user, new eventId
      // Same key, same partition: once `again` is recorded, the redelivery before it was handled too.
      await waitUntil(() => seen('order-service.user-created', again.eventId), 'the second user.created');

      expect(await welcomeOrdersOf(userId)).toHaveLength(1);
      const [{ n }] = await sut.dataSource.query('SELECT count(*)::int AS n FROM orders WHERE user_id = $1', [userId]);
      expect(n).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 1500)); // let the relay publish anything it would
      const welcomeIds = new Set((await welcomeOrdersOf(userId)).map((o) => o.id));
      const announced = probe.messages.filter((m) => m.topic === 'order.created' && m.value?.includes(userId));
      expect(announced.map((m) => m.key)).toEqual([...welcomeIds]);
    });

    it('gives the welcome order when the user is being remembered by another transaction at the same time (an order placed meanwhile)', async () => {
      const userId = randomUUID();
      const other = sut.dataSource.createQueryRunner();
      await other.connect();
      await other.startTransaction();
      try {
        await other.query('INSERT INTO known_users (user_id) VALUES ($1)', [userId]);
        await publisher.publish('user.created', userId, aUserCreated(userId));
        // The consumer's insert of the same user now waits for this transaction to end.
        await new Promise((resolve) => setTimeout(resolve, 1000));
        await other.commitTransaction();
      } finally {
        await other.release();
      }
      await waitUntil(async () => (await welcomeOrdersOf(userId)).length === 1, 'the welcome order');
    });

    it('parks a non-JSON and a wrong-schema message on user.created.dlq with the reason, and goes on', async () => {
      const userId = randomUUID();
      await publisher.publish('user.created', userId, 'this is not json');
      await publisher.publish('user.created', userId, aUserCreated(userId, { data: { userId, email: 'nope', name: 'Ann', role: 'user' } }));
      await publisher.publish('user.created', userId, aUserCreated(userId));

      await waitUntil(async () => (await welcomeOrdersOf(userId)).length === 1, 'the valid event after the poison ones');
      const parked = await probe.waitFor('user.created.dlq', userId, 2);
      expect(parked.map((m) => m.headers['x-dead-letter-reason'])).toEqual([
        'value is not JSON',
        expect.stringMatching(/^invalid data: email: email must be an email/),
      ]);
      expect(parked[0].value).toBe('this is not json');
      expect(parked[0].headers).toMatchObject({ 'x-original-topic': 'user.created', 'x-failed-consumer': 'order-service.user-created' });
    });
  });

  describe('batches (several events in one fetch, applied in one transaction)', () => {
    it('applies each valid event of a batch once, and parks the poison message in its middle', async () => {
      const users = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      const events = users.map((userId) => aUserCreated(userId));
      const poisonKey = randomUUID();
      // One key: one partition, one produce request, so one batch for the consumer.
      await publisher.publishTogether('user.created', poisonKey, [
        events[0],
        events[1],
        `not json ${poisonKey}`,
        events[2],
        events[1], // the same event again, in the same batch
        events[3],
      ]);

      await waitUntil(async () => (await Promise.all(users.map(welcomeOrdersOf))).every((o) => o.length === 1), 'a welcome order per user');
      const [parked] = await probe.waitFor('user.created.dlq', poisonKey);
      expect(parked.headers['x-dead-letter-reason']).toBe('value is not JSON');
      for (const event of events) expect(await seen('order-service.user-created', event.eventId)).toBe(true);
      const [{ n }] = await sut.dataSource.query('SELECT count(*)::int AS n FROM orders WHERE user_id = ANY($1::uuid[])', [users]);
      expect(n).toBe(users.length);
      const announced = () => probe.messages.filter((m) => m.topic === 'order.created' && users.some((u) => m.value?.includes(u)));
      await waitUntil(() => announced().length >= users.length, 'an order.created per welcome order');
      expect(announced()).toHaveLength(users.length);
    });
  });

  describe('user.deleted', () => {
    it('refuses new orders for the user and keeps their orders', async () => {
      const userId = randomUUID();
      userService.users.add(userId);
      const created = await request(http)
        .post('/orders')
        .send({ userId, items: [{ productId: 'product-1', quantity: 1, price: 2 }] })
        .expect(201);

      const deleted = anEvent('UserDeleted', { userId });
      await publisher.publish('user.deleted', userId, deleted);
      await waitUntil(() => seen('order-service.user-deleted', deleted.eventId), 'user.deleted');

      const res = await request(http).post('/orders').send({ userId, items: [{ productId: 'product-1', quantity: 1, price: 2 }] }).expect(422);
      expect(res.body.message).toBe(`user ${userId} has been deleted`);
      await request(http).get(`/orders/${created.body.id}`).expect(200);
    });

    it('gives no welcome order to a user already deleted when their user.created comes late', async () => {
      const userId = randomUUID();
      const deleted = anEvent('UserDeleted', { userId });
      await publisher.publish('user.deleted', userId, deleted);
      await waitUntil(() => seen('order-service.user-deleted', deleted.eventId), 'user.deleted');
      const created = aUserCreated(userId);
      await publisher.publish('user.created', userId, created);
      await waitUntil(() => seen('order-service.user-created', created.eventId), 'the late user.created');
      expect(await welcomeOrdersOf(userId)).toEqual([]);
    });
  });

  describe('user-to-paid chain latency', () => {
    const chainMetric = async (): Promise<{ count: number; sum: number }> => {
      const text = (await request(http).get('/metrics').expect(200)).text;
      const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
      return { count: value('user_to_paid_chain_seconds_count'), sum: value('user_to_paid_chain_seconds_sum') };
    };

    it("keeps the user.created event's occurredAt with the welcome order as the start of the chain", async () => {
      const userId = randomUUID();
      const occurredAt = new Date(Date.now() - 5000).toISOString();
      await publisher.publish('user.created', userId, aUserCreated(userId, { occurredAt }));
      await waitUntil(async () => (await welcomeOrdersOf(userId)).length === 1, 'the welcome order');
      const [row] = await sut.dataSource.query("SELECT chain_started_at FROM orders WHERE user_id = $1 AND kind = 'welcome'", [userId]);
      expect((row.chain_started_at as Date).toISOString()).toBe(occurredAt);
    });

    it('observes, once, the time from user.created to the welcome order being paid', async () => {
      // Written straight into the table, as in 'payment outcomes' below: no payment-service pays it.
      const orderId = randomUUID();
      await sut.dataSource.query(
        "INSERT INTO orders (id, user_id, kind, status, total_amount, chain_started_at) VALUES ($1, $2, 'welcome', 'pending', '0.01', now() - interval '2 seconds')",
        [orderId, randomUUID()],
      );
      const before = await chainMetric();
      const completed = anEvent('PaymentCompleted', { paymentId: randomUUID(), orderId, amount: '0.01' });
      const late = anEvent('PaymentCompleted', { paymentId: randomUUID(), orderId, amount: '0.01' });
      await publisher.publish('payment.completed', orderId, completed);
      await publisher.publish('payment.completed', orderId, completed); // redelivered
      await publisher.publish('payment.completed', orderId, late); // the order is paid already
      // One key, one partition: once the last is handled, so are the two before it.
      await waitUntil(() => seen('order-service.payment-completed', late.eventId), 'the last payment.completed');

      const after = await chainMetric();
      expect(after.count).toBe(before.count + 1);
      expect(after.sum - before.sum).toBeGreaterThanOrEqual(2);
      expect(after.sum - before.sum).toBeLessThan(60);
    });
  });

  describe('payment outcomes', () => {
    /**
     * Written straight into the table (no order.created): a payment-service running against the
     * same test Kafka must not see, and pay, the orders these tests move themselves.
     */
    async function aPendingOrder(): Promise<string> {
      const id = randomUUID();
      await sut.dataSource.query(
        "INSERT INTO orders (id, user_id, kind, status, total_amount, updated_at) VALUES ($1, $2, 'regular', 'pending', '12.50', now() - interval '1 hour')",
        [id, randomUUID()],
      );
      return id;
    }

    const statusOf = async (orderId: string): Promise<{ status: string; updated_at: Date }> =>
      (await sut.dataSource.query('SELECT status, updated_at FROM orders WHERE id = $1', [orderId]))[0];

    const aPayment = (type: 'PaymentCompleted' | 'PaymentFailed', orderId: string) =>
      anEvent(type, {
        paymentId: randomUUID(),
        orderId,
        amount: '12.50',
        ...(type === 'PaymentFailed' ? { reason: 'card declined' } : {}),
      });

    it('marks the order paid on payment.completed; a duplicate and a late payment.failed change nothing', async () => {
      const orderId = await aPendingOrder();
      const completed = aPayment('PaymentCompleted', orderId);
      await publisher.publish('payment.completed', orderId, completed);
      await waitUntil(async () => (await statusOf(orderId)).status === 'paid', 'the order to be paid');
      const paid = await statusOf(orderId);
      expect(Date.now() - paid.updated_at.getTime()).toBeLessThan(60_000);

      const later = aPayment('PaymentCompleted', orderId);
      await publisher.publish('payment.completed', orderId, completed); // duplicate delivery
      await publisher.publish('payment.completed', orderId, later);
      await waitUntil(() => seen('order-service.payment-completed', later.eventId), 'the later payment.completed');
      const failed = aPayment('PaymentFailed', orderId);
      await publisher.publish('payment.failed', orderId, failed);
      await waitUntil(() => seen('order-service.payment-failed', failed.eventId), 'the late payment.failed');

      expect(await statusOf(orderId)).toEqual(paid);
    });

    it('moves a pending order on payment.completed without locking it first: ledger, then one statement', async () => {
      const orderId = await aPendingOrder();
      const completed = aPayment('PaymentCompleted', orderId);
      const sent = recordStatements(sut.dataSource);
      await publisher.publish('payment.completed', orderId, completed);
      await waitUntil(async () => (await statusOf(orderId)).status === 'paid', 'the order to be paid');
      sent.stop();
      const unit = unitOf(sent.statements, /INSERT INTO processed_events/).map((sql) => sql.replace(/\s+/g, ' ').slice(0, 40));
      expect(unit).toEqual(['START TRANSACTION', expect.stringContaining('INSERT INTO processed_events'), expect.stringContaining('WITH changed AS ( UPDATE orders'), 'COMMIT']);
      const [order] = await sut.dataSource.query('SELECT payment_id, paid_amount::text AS paid FROM orders WHERE id = $1', [orderId]);
      expect(order).toEqual({ payment_id: (completed.data as { paymentId: string }).paymentId, paid: '12.50' });
      const history = await sut.dataSource.query('SELECT from_status, to_status, trigger FROM order_status_history WHERE order_id = $1', [orderId]);
      expect(history).toEqual([{ from_status: 'pending', to_status: 'paid', trigger: 'payment_completed' }]);
    });

    it('marks the order failed on payment.failed', async () => {
      const orderId = await aPendingOrder();
      await publisher.publish('payment.failed', orderId, aPayment('PaymentFailed', orderId));
      await waitUntil(async () => (await statusOf(orderId)).status === 'failed', 'the order to be failed');
      const res = await request(http).get(`/orders/${orderId}`).expect(200);
      expect(res.body).toMatchObject({ status: 'failed', totalAmount: 12.5 });
    });

    it('takes a batch whose transaction fails (an unknown order in it) one event at a time: each order paid once', async () => {
      const orders = [await aPendingOrder(), await aPendingOrder(), await aPendingOrder()];
      const unknown = randomUUID();
      const payments = [aPayment('PaymentCompleted', orders[0]), aPayment('PaymentCompleted', unknown), aPayment('PaymentCompleted', orders[1]), aPayment('PaymentCompleted', orders[2])];
      await publisher.publishTogether('payment.completed', unknown, payments);

      await probe.waitFor('payment.completed.dlq', unknown);
      await waitUntil(async () => (await Promise.all(orders.map(statusOf))).every((o) => o.status === 'paid'), 'every known order paid');
      const steps = (await sut.dataSource.query(
        "SELECT order_id, count(*)::int AS n FROM order_status_history WHERE order_id = ANY($1::uuid[]) AND to_status = 'paid' GROUP BY order_id",
        [orders],
      )) as { order_id: string; n: number }[];
      expect(steps.map((s) => s.n)).toEqual([1, 1, 1]);
      expect(await seen('order-service.payment-completed', payments[1].eventId)).toBe(false);
    });

    it('parks a payment for an unknown order on payment.completed.dlq, naming it', async () => {
      const orderId = randomUUID();
      const event = aPayment('PaymentCompleted', orderId);
      await publisher.publish('payment.completed', orderId, event);
      const [parked] = await probe.waitFor('payment.completed.dlq', orderId);
      expect(parked.headers['x-dead-letter-reason']).toBe(`ORDER.NOT_FOUND: order ${orderId} not found`);
      expect(JSON.parse(parked.value as string).eventId).toBe(event.eventId);
      expect(await seen('order-service.payment-completed', event.eventId)).toBe(false);
    });
  });
});
