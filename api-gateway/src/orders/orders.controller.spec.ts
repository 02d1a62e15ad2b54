import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { FakeUpstream } from '../../test/support/fake-upstream';
import { startGateway } from '../../test/support/gateway';

const USER_ID = '8a6f2c1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b';
const ORDER_ID = '3c2b1a0f-9e8d-4c7b-a6f5-e4d3c2b1a098';
const ITEM = { productId: 'product-123', quantity: 3, price: 19.99 };
const ORDER = {
  id: ORDER_ID,
  userId: USER_ID,
  kind: 'regular',
  status: 'pending',
  items: [ITEM],
  totalAmount: 59.97,
  createdAt: '2025-01-31T12:00:00.000Z',
  updatedAt: '2025-01-31T12:00:00.000Z',
};

describe('/api/orders through the gateway', () => {
  let orders: FakeUpstream;
  let others: FakeUpstream;
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    [orders, others] = await Promise.all([FakeUpstream.start(), FakeUpstream.start()]);
    app = await startGateway({
      USER_SERVICE_URL: others.url,
      ORDER_SERVICE_URL: orders.url,
      PAYMENT_SERVICE_URL: others.url,
      UPSTREAM_TIMEOUT_MS: '300',
    });
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all([orders.close(), others.close()]);
  });

  describe('forwards to order-service', () => {
    it('POST /api/orders -> POST /orders with exactly the numbers the client sent', async () => {
      orders.answer(() => ({ status: 201, json: ORDER }));
      const body = { userId: USER_ID, items: [ITEM, { productId: 'product-x-1', quantity: 1, price: 0.1 }] };

      const res = await http().post('/api/orders').set('X-Request-Id', 'order-req').send(body);

      expect(res.status).toBe(201);
      expect(res.body).toEqual(ORDER);
      expect(orders.last).toMatchObject({ method: 'POST', url: '/orders' });
      expect(orders.last.body).toBe(JSON.stringify(body));
      expect(orders.last.headers['x-request-id']).toBe('order-req');
      expect(orders.last.headers['x-api-key']).toBeUndefined();
    });

    it('GET /api/orders?userId -> GET /orders with paging and the user filter, and X-Total-Count', async () => {
      orders.answer(() => ({ status: 200, json: [ORDER], headers: { 'X-Total-Count': '7' } }));

      const res = await http().get(`/api/orders?userId=${USER_ID}&limit=1`);

      expect(res.status).toBe(200);
      expect(res.body).toEqual([ORDER]);
      expect(res.headers['x-total-count']).toBe('7');
      expect(orders.last.url).toBe(`/orders?limit=1&offset=0&userId=${USER_ID}`);
    });

    it('GET /api/orders/:id -> GET /orders/:id', async () => {
      orders.answer(() => ({ status: 200, json: ORDER }));

      await http().get(`/api/orders/${ORDER_ID}`).expect(200, ORDER);

      expect(orders.last).toMatchObject({ method: 'GET', url: `/orders/${ORDER_ID}` });
    });

    it('POST /api/orders/:id/cancel -> POST /orders/:id/cancel, answering 200 with the order', async () => {
      const cancelled = { ...ORDER, status: 'cancelled' };
      orders.answer(() => ({ status: 200, json: cancelled }));

      await http().post(`/api/orders/${ORDER_ID}/cancel`).expect(200, cancelled);

      expect(orders.last).toMatchObject({ method: 'POST', url: `/orders/${ORDER_ID}/cancel` });
    });

    it('POST /api/orders/:id/cancel forwards the Idempotency-Key and passes a replay header back', async () => {
      const refundPending = { ...ORDER, status: 'refund_pending' };
      orders.answer(() => ({ status: 200, json: refundPending, headers: { 'Idempotent-Replayed': 'true' } }));

      const res = await http().post(`/api/orders/${ORDER_ID}/cancel`).set('Idempotency-Key', 'cancel-once-1').expect(200, refundPending);

      expect(res.headers['idempotent-replayed']).toBe('true');
      expect(orders.last.headers['idempotency-key']).toBe('cancel-once-1');
    });

    it('refuses a cancel with a malformed Idempotency-Key with 400 naming it, without asking order-service', async () => {
      const before = orders.received.length;

      const res = await http().post(`/api/orders/${ORDER_ID}/cancel`).set('Idempotency-Key', 'two words').expect(400);

      expect(res.body.message).toMatch(/^Idempotency-Key must be visible ASCII characters only/);
      expect(orders.received.length).toBe(before);
    });

    it('passes order-service\'s 409 (not cancellable, naming the status) through', async () => {
      const refusal = { statusCode: 409, message: `order ${ORDER_ID} is refunded and cannot be cancelled`, error: 'Conflict', requestId: 'r-409' };
      orders.answer(() => ({ status: 409, json: refusal }));

      const res = await http().post(`/api/orders/${ORDER_ID}/cancel`).set('X-Request-Id', 'r-409');

      expect(res.status).toBe(409);
      expect(res.body).toEqual(refusal);
    });

    it('refuses a cancel carrying a body with properties (a reason it would not keep) with 400 naming them; {} passes', async () => {
      const before = orders.received.length;
      const res = await http().post(`/api/orders/${ORDER_ID}/cancel`).send({ reason: 'changed my mind' });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: ['property reason should not exist: this route takes no body'] });
      expect(orders.received.length).toBe(before);

      orders.answer(() => ({ status: 200, json: { ...ORDER, status: 'cancelled' } }));
      await http().post(`/api/orders/${ORDER_ID}/cancel`).send({}).expect(200);
      expect(orders.last.body).toBe('');
    });

    it('refuses a cancel of a non-uuid id with 400, without asking order-service', async () => {
      const before = orders.received.length;
      const res = await http().post('/api/orders/not-a-uuid/cancel');
      expect(res.status).toBe(400);
      expect(orders.received.length).toBe(before);
    });

    it('passes order-service\'s 422 (unknown user) through', async () => {
      const refusal = { statusCode: 422, message: `user ${USER_ID} does not exist`, error: 'Unprocessable Entity', requestId: 'r-422' };
      orders.answer(() => ({ status: 422, json: refusal }));

      const res = await http().post('/api/orders').set('X-Request-Id', 'r-422').send({ userId: USER_ID, items: [ITEM] });

      expect(res.status).toBe(422);
      expect(res.body).toEqual(refusal);
    });

    it('504 naming order-service when it is too slow', async () => {
      orders.answer(() => ({ status: 201, json: ORDER, delayMs: 1500 }));

      const res = await http().post('/api/orders').send({ userId: USER_ID, items: [ITEM] });

      expect(res.status).toBe(504);
      expect(res.body.message).toBe('order-service did not answer within 300 ms');
    });
  });

  describe('refuses a bad order with 400 naming the field, without asking order-service', () => {
    const order = (item: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ userId: USER_ID, items: [{ ...ITEM, ...item }], ...extra });

    it.each([
      ['a price sent as a string', order({ price: '19.99' }), /items\.0\.price must be a JSON number such as 29\.99, not a string/],
      ['101 items', { userId: USER_ID, items: Array.from({ length: 101 }, () => ITEM) }, /items must hold at most 100 items/],
      ['a price with 3 decimals', order({ price: 19.999 }), /items\.0\.price must have at most 2 decimal places/],
      ['a price in exponent notation', order({ price: 1e-7 }), /items\.0\.price must have at most 2 decimal places/],
      ['a zero price', order({ price: 0 }), /items\.0\.price must not be less than 0.01/],
      ['a price over the maximum', order({ price: 1_000_000 }), /items\.0\.price must not be greater than 999999.99/],
      ['a fractional quantity', order({ quantity: 1.5 }), /items\.0\.quantity must be an integer/],
      ['a quantity of 0', order({ quantity: 0 }), /items\.0\.quantity must not be less than 1/],
      ['a quantity of 10000', order({ quantity: 10000 }), /items\.0\.quantity must not be greater than 9999/],
      ['a bad productId', order({ productId: 'sku-1' }), /items\.0\.productId must be "product-" then letters, digits and dashes, such as product-123/],
      ['an unknown field in an item', order({ discount: 5 }), /items\.0\.property discount should not exist/],
      ['an unknown top-level field', order({}, { status: 'paid' }), /property status should not exist/],
      ['a non-uuid userId', { userId: 'user-1', items: [ITEM] }, /userId must be a UUID/],
      ['no items', { userId: USER_ID, items: [] }, /items must hold at least 1 item/],
      ['items not an array', { userId: USER_ID, items: ITEM }, /items must be an array/],
    ])('%s', async (_case, body, message) => {
      const before = orders.received.length;

      const res = await http().post('/api/orders').send(body);

      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', requestId: res.headers['x-request-id'] });
      expect((res.body.message as string[]).join('\n')).toMatch(message);
      expect(orders.received.length).toBe(before);
    });

    it.each([['userId=nope'], ['limit=1000'], ['offset=-1']])('GET /api/orders?%s', async (query) => {
      const res = await http().get(`/api/orders?${query}`);

      expect(res.status).toBe(400);
    });

    it('a non-uuid order id', async () => {
      await http().get('/api/orders/not-a-uuid').expect(400);
    });
  });
});
