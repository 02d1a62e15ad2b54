import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { FakeUpstream } from '../../test/support/fake-upstream';
import { startGateway } from '../../test/support/gateway';

const ORDER_ID = '3c2b1a0f-9e8d-4c7b-a6f5-e4d3c2b1a098';
const PAYMENT_ID = '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a';
const PAYMENT = {
  id: PAYMENT_ID,
  orderId: ORDER_ID,
  userId: '8a6f2c1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b',
  amount: '59.97',
  status: 'completed',
  failureReason: null,
  createdAt: '2025-01-31T12:00:01.000Z',
};

describe('/api/payments through the gateway (read-only)', () => {
  let payments: FakeUpstream;
  let others: FakeUpstream;
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    [payments, others] = await Promise.all([FakeUpstream.start(), FakeUpstream.start()]);
    app = await startGateway({ USER_SERVICE_URL: others.url, ORDER_SERVICE_URL: others.url, PAYMENT_SERVICE_URL: payments.url });
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all([payments.close(), others.close()]);
  });

  it('GET /api/payments?orderId -> GET /payments with paging and the order filter, and X-Total-Count', async () => {
    payments.answer(() => ({ status: 200, json: [PAYMENT], headers: { 'X-Total-Count': '1' } }));

    const res = await http().get(`/api/payments?orderId=${ORDER_ID}`);

    expect(res.status).toBe(200);
    expect(res.body).toEqual([PAYMENT]);
    expect(res.headers['x-total-count']).toBe('1');
    expect(payments.last).toMatchObject({ method: 'GET', url: `/payments?limit=20&offset=0&orderId=${ORDER_ID}` });
  });

  it('GET /api/payments/:id -> GET /payments/:id, its 404 passed through', async () => {
    const missing = { statusCode: 404, message: `payment ${PAYMENT_ID} not found`, error: 'Not Found', requestId: 'p-404' };
    payments.answer(() => ({ status: 404, json: missing }));

    const res = await http().get(`/api/payments/${PAYMENT_ID}`).set('X-Request-Id', 'p-404');

    expect(res.status).toBe(404);
    expect(res.body).toEqual(missing);
    expect(payments.last.url).toBe(`/payments/${PAYMENT_ID}`);
  });

  it('refuses a non-uuid id and a non-uuid orderId with 400', async () => {
    const before = payments.received.length;

    await http().get('/api/payments/123').expect(400);
    await http().get('/api/payments?orderId=123').expect(400);

    expect(payments.received.length).toBe(before);
  });

  it('has no way to create, change or delete a payment: 405, and Allow says what there is', async () => {
    const post = await http().post('/api/payments').send({}).expect(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    await http().put(`/api/payments/${PAYMENT_ID}`).send({}).expect(405);
    await http().delete(`/api/payments/${PAYMENT_ID}`).expect(405);
  });

  it('names the path of a 405 as the client wrote it, a bad escape included', async () => {
    const res = await http().delete('/api/payments/%C0%AF').expect(405);

    expect(res.body.message).toBe('DELETE is not allowed on /api/payments/%C0%AF; allowed: GET, HEAD');
  });
});
