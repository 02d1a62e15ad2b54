import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types';
import { FakeUserService } from './support/fake-user-service';
import { TopicProbe, testKafka } from './support/kafka';
import { RunningOrderService, startOrderService, truncateAll } from './support/order-service-app';
import { recordStatements, unitOf } from './support/statements';

describe('orders over HTTP (real PostgreSQL and Kafka)', () => {
  const userService = new FakeUserService();
  let sut: RunningOrderService;
  let http: App;
  let probe: TopicProbe;

  beforeAll(async () => {
    await userService.start();
    sut = await startOrderService({ consumerGroup: `order-service-it-http-${randomUUID()}`, userServiceUrl: userService.url });
    http = sut.app.getHttpServer() as App;
    probe = await new TopicProbe(testKafka()).start(['order.created']);
  });

  afterAll(async () => {
    await probe?.stop();
    await sut?.close();
    await userService.stop();
  });

  beforeEach(async () => {
    userService.reset();
    await truncateAll(sut.dataSource);
  });

  const aUser = () => {
    const id = randomUUID();
    userService.users.add(id);
    return id;
  };

  describe('POST /orders', () => {
    it('creates a pending order with an exact total and publishes order.created (key = order id)', async () => {
      const userId = aUser();
      const res = await request(http)
        .post('/orders')
        .set('X-Request-Id', 'it-create-1')
        .send({
          userId,
          items: [
            { productId: 'product-dime', quantity: 3, price: 0.1 },
            { productId: 'product-max', quantity: 9999, price: 999999.99 },
          ],
        })
        .expect(201);

      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        userId,
        items: [
          { productId: 'product-dime', quantity: 3, price: 0.1 },
          { productId: 'product-max', quantity: 9999, price: 999999.99 },
        ],
        totalAmount: 9998999900.31,
        status: 'pending',
        kind: 'regular',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      // The JSON text itself carries the exact digits.
      expect(res.text).toContain('"totalAmount":9998999900.31');

      const [row] = await sut.dataSource.query('SELECT total_amount::text AS total, status, kind FROM orders WHERE id = $1', [res.body.id]);
      expect(row).toEqual({ total: '9998999900.31', status: 'pending', kind: 'regular' });

      const [message] = await probe.waitFor('order.created', res.body.id);
      expect(message.headers['x-request-id']).toBe('it-create-1');
      expect(JSON.parse(message.value as string)).toEqual({
        eventId: expect.any(String),
        type: 'OrderCreated',
        version: 1,
        occurredAt: expect.any(String),
        requestId: 'it-create-1',
        data: {
          orderId: res.body.id,
          userId,
          kind: 'regular',
          items: [
            { productId: 'product-dime', quantity: 3, price: '0.10' },
            { productId: 'product-max', quantity: 9999, price: '999999.99' },
          ],
          totalAmount: '9998999900.31',
        },
      });
    });

    it('takes the largest order there can be: 100 lines of 9999 × 999999.99, to the cent', async () => {
      const userId = aUser();
      const items = Array.from({ length: 100 }, (_, i) => ({ productId: `product-${i}`, quantity: 9999, price: 999999.99 }));
      const res = await request(http).post('/orders').send({ userId, items }).expect(201);
      expect(res.text).toContain('"totalAmount":999899990001,');
      expect(res.body.items).toHaveLength(100);
      expect(res.body.items[99]).toEqual({ productId: 'product-99', quantity: 9999, price: 999999.99 });
      const [message] = await probe.waitFor('order.created', res.body.id);
      expect(JSON.parse(message.value as string).data.totalAmount).toBe('999899990001.00');
    });

    it('writes an order of a known user in one statement, with its event: no BEGIN, no COMMIT', async () => {
      const userId = aUser();
      const order = { userId, items: [{ productId: 'product-1', quantity: 2, price: 5 }] };
      await request(http).post('/orders').send(order).expect(201); // the user is known from here on
      const sent = recordStatements(sut.dataSource);
      const res = await request(http).post('/orders').send(order).expect(201);
      sent.stop();
      const unit = unitOf(sent.statements, /INSERT INTO orders/);
      expect(unit).toHaveLength(1);
      expect(sent.statements.find((s) => s.sql === unit[0])?.name).toBe('orders.insert-of-active-user');
      expect(unit[0]).toMatch(/INSERT INTO orders[\s\S]*INSERT INTO order_items[\s\S]*INSERT INTO order_status_history[\s\S]*INSERT INTO outbox_messages/);
      const [message] = await probe.waitFor('order.created', res.body.id);
      expect(JSON.parse(message.value as string).data).toMatchObject({ orderId: res.body.id, userId, totalAmount: '10.00' });
    });

    it('publishes in two round trips a relay pass: BEGIN and the claim in one message, then COMMIT', async () => {
      const userId = aUser();
      const sent = recordStatements(sut.dataSource);
      const res = await request(http).post('/orders').send({ userId, items: [{ productId: 'product-1', quantity: 1, price: 5 }] }).expect(201);
      await probe.waitFor('order.created', res.body.id);
      sent.stop();
      const pass = unitOf(sent.statements, /pg_try_advisory_xact_lock/);
      expect(pass).toEqual([expect.stringMatching(/^START TRANSACTION;\s*WITH relay_lock[\s\S]*DELETE FROM outbox_messages/), 'COMMIT']);
      expect(await countRows('outbox_messages')).toBe(0);
    });

    it('asks user-service once for a user it has not heard of, forwarding the request id', async () => {
      const userId = aUser();
      const order = { userId, items: [{ productId: 'product-1', quantity: 1, price: 5 }] };
      await request(http).post('/orders').set('X-Request-Id', 'it-ask-1').send(order).expect(201);
      await request(http).post('/orders').send(order).expect(201);
      expect(userService.requests.map((r) => r.url)).toEqual([`/users/${userId}`]);
      expect(userService.requests[0].headers['x-request-id']).toBe('it-ask-1');
    });

    it('refuses an order for a user that does not exist with 422, storing nothing', async () => {
      const userId = randomUUID();
      const res = await request(http)
        .post('/orders')
        .send({ userId, items: [{ productId: 'product-1', quantity: 1, price: 5 }] })
        .expect(422);
      expect(res.body).toMatchObject({ statusCode: 422, message: `user ${userId} does not exist`, error: 'Unprocessable Entity' });
      expect(res.body.requestId).toEqual(expect.any(String));
      expect(await countRows('orders')).toBe(0);
      expect(await countRows('outbox_messages')).toBe(0);
    });

    it('refuses an order for a user deleted (known from user.deleted) with 422', async () => {
      const userId = aUser();
      await sut.dataSource.query('INSERT INTO known_users (user_id, deleted_at) VALUES ($1, now())', [userId]);
      const res = await request(http)
        .post('/orders')
        .send({ userId, items: [{ productId: 'product-1', quantity: 1, price: 5 }] })
        .expect(422);
      expect(res.body.message).toBe(`user ${userId} has been deleted`);
      expect(userService.requests).toEqual([]);
    });

    it('answers 503 when user-service does not answer within 2 s, and takes the order once it does', async () => {
      const userId = aUser();
      userService.delayMs = 3000;
      const order = { userId, items: [{ productId: 'product-1', quantity: 1, price: 5 }] };
      const res = await request(http).post('/orders').send(order).expect(503);
      expect(res.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
      expect(await countRows('orders')).toBe(0);
      userService.delayMs = 0;
      await request(http).post('/orders').send(order).expect(201);
    });

    it.each([
      ['a price sent as a string', { price: '12' }, 'items.0.price must be a JSON number such as 29.99, not a string'],
      ['a price with 3 decimals', { price: 1.005 }, 'items.0.price must have at most 2 decimal places'],
      ['a price in exponent notation', { price: 1e-7 }, 'items.0.price must have at most 2 decimal places'],
      ['a zero quantity', { quantity: 0 }, 'items.0.quantity must not be less than 1'],
      ['a quantity of 10000', { quantity: 10000 }, 'items.0.quantity must not be greater than 9999'],
      ['a fractional quantity', { quantity: 1.5 }, 'items.0.quantity must be an integer number'],
      ['a bad productId', { productId: 'sku-1' }, 'items.0.productId must be "product-" then letters, digits and dashes, such as product-123'],
      ['an unknown item field', { discount: 1 }, 'items.0.property discount should not exist'],
    ])('answers 400 for %s, naming the field', async (_, change, message) => {
      const userId = aUser();
      const res = await request(http)
        .post('/orders')
        .send({ userId, items: [{ productId: 'product-1', quantity: 1, price: 5, ...change }] })
        .expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(res.body.message).toContain(message);
      expect(await countRows('orders')).toBe(0);
    });

    it('answers 400 for no items, an unknown top-level field, a bad userId and malformed JSON', async () => {
      const userId = aUser();
      const item = { productId: 'product-1', quantity: 1, price: 5 };
      expect((await request(http).post('/orders').send({ userId, items: [] }).expect(400)).body.message).toContain(
        'items must hold at least 1 item',
      );
      expect((await request(http).post('/orders').send({ userId, items: [item], status: 'paid' }).expect(400)).body.message).toContain(
        'property status should not exist',
      );
      expect((await request(http).post('/orders').send({ userId: 'u1', items: [item] }).expect(400)).body.message).toContain(
        'userId must be a UUID',
      );
      const malformed = await request(http).post('/orders').set('Content-Type', 'application/json').send('{"userId":').expect(400);
      expect(malformed.body).toMatchObject({ statusCode: 400, error: 'Bad Request', requestId: expect.any(String) });
      expect(userService.requests).toEqual([]);
    });
  });

  describe('GET /orders', () => {
    it('lists newest first with X-Total-Count, pages with limit/offset and filters by userId', async () => {
      const ann = aUser();
      const bob = aUser();
      const ids: string[] = [];
      for (const [userId, price] of [[ann, 1], [bob, 2], [ann, 3]] as const) {
        const res = await request(http).post('/orders').send({ userId, items: [{ productId: 'product-1', quantity: 1, price }] });
        ids.push(res.body.id);
      }

      const all = await request(http).get('/orders').expect(200);
      expect(all.headers['x-total-count']).toBe('3');
      expect(all.body.map((o: { id: string }) => o.id)).toEqual([...ids].reverse());

      const page = await request(http).get('/orders?limit=1&offset=1').expect(200);
      expect(page.headers['x-total-count']).toBe('3');
      expect(page.body.map((o: { id: string }) => o.id)).toEqual([ids[1]]);

      const anns = await request(http).get(`/orders?userId=${ann}`).expect(200);
      expect(anns.headers['x-total-count']).toBe('2');
      expect(anns.body.map((o: { totalAmount: number }) => o.totalAmount)).toEqual([3, 1]);
    });

    it('answers 400 for a bad limit or userId', async () => {
      await request(http).get('/orders?limit=0').expect(400);
      await request(http).get('/orders?limit=101').expect(400);
      await request(http).get('/orders?limit=abc').expect(400);
      await request(http).get('/orders?userId=nope').expect(400);
      await request(http).get('/orders?status=paid').expect(400);
    });
  });

  describe('GET /orders/:id', () => {
    it('returns the order with its items', async () => {
      const userId = aUser();
      const created = await request(http)
        .post('/orders')
        .send({ userId, items: [{ productId: 'product-a', quantity: 2, price: 19.99 }, { productId: 'product-b', quantity: 1, price: 0.02 }] })
        .expect(201);
      const res = await request(http).get(`/orders/${created.body.id}`).expect(200);
      // One order is read with its status history; the creation is its first step.
      expect(res.body).toEqual({ ...created.body, history: [{ from: null, to: 'pending', trigger: 'created', at: created.body.createdAt }] });
      expect(res.body.totalAmount).toBe(40);
    });

    it('answers 404 for an unknown id and 400 for an id that is not a uuid', async () => {
      const id = randomUUID();
      expect((await request(http).get(`/orders/${id}`).expect(404)).body.message).toBe(`order ${id} not found`);
      await request(http).get('/orders/not-a-uuid').expect(400);
    });
  });

  describe('probes', () => {
    it('is ready when its database and Kafka answer and its consumer joined its group, and counts orders in /metrics', async () => {
      const ready = await request(http).get('/health/ready').expect(200);
      expect(ready.body.info).toEqual({
        database: { status: 'up' },
        kafka: { status: 'up' },
        consumer: { status: 'up', group: expect.any(String), partitions: expect.any(Number) },
      });
      const userId = aUser();
      await request(http).post('/orders').send({ userId, items: [{ productId: 'product-1', quantity: 1, price: 1 }] }).expect(201);
      const metrics = await request(http).get('/metrics').expect(200);
      expect(metrics.text).toMatch(/^orders_created_total\{kind="regular"\} [1-9]\d*$/m);
    });
  });

  async function countRows(table: 'orders' | 'outbox_messages'): Promise<number> {
    const [{ n }] = await sut.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`);
    return n;
  }
});
