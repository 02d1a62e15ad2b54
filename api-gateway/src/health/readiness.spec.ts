import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { FakeUpstream } from '../../test/support/fake-upstream';
import { startGateway } from '../../test/support/gateway';

describe('GET /health/ready: the gateway is ready when every service behind it is', () => {
  let users: FakeUpstream;
  let orders: FakeUpstream;
  let payments: FakeUpstream;
  let app: INestApplication;
  const ready = () => request(app.getHttpServer()).get('/health/ready');

  beforeAll(async () => {
    [users, orders, payments] = await Promise.all([FakeUpstream.start(), FakeUpstream.start(), FakeUpstream.start()]);
    app = await startGateway({ USER_SERVICE_URL: users.url, ORDER_SERVICE_URL: orders.url, PAYMENT_SERVICE_URL: payments.url });
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all([users.close(), orders.close(), payments.close()]);
  });

  it('200 listing all three up when all are ready', async () => {
    const res = await ready();

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      info: {
        'user-service': { status: 'up', instances: { [users.url]: { status: 'up' } } },
        'order-service': { status: 'up', instances: { [orders.url]: { status: 'up' } } },
        'payment-service': { status: 'up', instances: { [payments.url]: { status: 'up' } } },
      },
      error: {},
    });
  });

  it('503 naming the one that says it is not ready, with what it reported', async () => {
    orders.ready = false;
    try {
      const res = await ready();

      expect(res.status).toBe(503);
      expect(res.body.status).toBe('error');
      expect(res.body.error).toEqual({
        'order-service': {
          status: 'down',
          reason: 'HTTP 503',
          instances: { [orders.url]: { status: 'down', reason: 'HTTP 503', failing: { database: { status: 'down' } } } },
        },
      });
      expect(Object.keys(res.body.info).sort()).toEqual(['payment-service', 'user-service']);
    } finally {
      orders.ready = true;
    }
  });

  it('/health/live stays 200 meanwhile: the gateway process itself is fine', async () => {
    users.ready = false;
    try {
      await request(app.getHttpServer()).get('/health/live').expect(200);
    } finally {
      users.ready = true;
    }
  });

  it('503 naming the one that is gone (connection refused)', async () => {
    const gone = payments.url;
    await payments.close();

    const res = await ready();

    expect(res.status).toBe(503);
    expect(res.body.error).toEqual({
      'payment-service': {
        status: 'down',
        reason: 'connection refused (ECONNREFUSED)',
        instances: { [gone]: { status: 'down', reason: 'connection refused (ECONNREFUSED)' } },
      },
    });
  });
});
