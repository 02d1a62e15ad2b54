import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { closedPortUrl, FakeUpstream } from '../../test/support/fake-upstream';
import { startGateway } from '../../test/support/gateway';

const USER = { id: '8a6f2c1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b', email: 'ada@example.com', name: 'Ada', role: 'user', createdAt: '2025-01-31T12:00:00.000Z', updatedAt: '2025-01-31T12:00:00.000Z' };
const NEW_USER = { email: 'ada@example.com', name: 'Ada', password: 'SecurePass123!' };

describe('the gateway app with several instances per service', () => {
  let dead: string;
  let users: FakeUpstream[];
  let orders: FakeUpstream[];
  let payments: FakeUpstream;
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    dead = await closedPortUrl();
    const started = await Promise.all(Array.from({ length: 5 }, () => FakeUpstream.start()));
    users = started.slice(0, 2);
    orders = started.slice(2, 4);
    payments = started[4];
    for (const u of users) u.answer((req) => (req.method === 'POST' ? { status: 201, json: USER } : { status: 200, json: [USER], headers: { 'X-Total-Count': '1' } }));
    app = await startGateway({
      USER_SERVICE_URL: [dead, ...users.map((u) => u.url)].join(','),
      ORDER_SERVICE_URL: `${orders[0].url}, ${orders[1].url}/`,
      PAYMENT_SERVICE_URL: payments.url,
    });
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all([...users, ...orders, payments].map((f) => f.close()));
  });

  it('every GET answers 200 with one of three user-service instances refusing connections, the two others sharing them', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await http().get('/api/users');
      expect({ status: res.status, total: res.headers['x-total-count'] }).toEqual({ status: 200, total: '1' });
    }

    expect(users[0].received.length + users[1].received.length).toBe(10);
    expect(users[0].received.length).toBeGreaterThanOrEqual(4);
    expect(users[1].received.length).toBeGreaterThanOrEqual(4);
  });

  it('a POST without an Idempotency-Key reaches a live instance, the refusing one being out of the rotation', async () => {
    for (let i = 0; i < 4; i++) await http().post('/api/users').send(NEW_USER).expect(201);
  });

  it('/health/ready names every instance and its state; ready while each service has one ready instance', async () => {
    orders[0].ready = false;
    try {
      const res = await http().get('/health/ready');

      expect(res.status).toBe(200);
      expect(res.body.details['user-service']).toEqual({
        status: 'up',
        instances: {
          [dead]: { status: 'down', reason: 'connection refused (ECONNREFUSED)' },
          [users[0].url]: { status: 'up' },
          [users[1].url]: { status: 'up' },
        },
      });
      expect(res.body.details['order-service']).toEqual({
        status: 'up',
        instances: {
          [orders[0].url]: { status: 'down', reason: 'HTTP 503', failing: { database: { status: 'down' } } },
          [orders[1].url]: { status: 'up' },
        },
      });
    } finally {
      orders[0].ready = true;
    }
  });

  it('/health/ready is 503 naming the service none of whose instances is ready', async () => {
    orders[0].ready = orders[1].ready = false;
    try {
      const res = await http().get('/health/ready');

      expect(res.status).toBe(503);
      expect(Object.keys(res.body.error)).toEqual(['order-service']);
      expect(res.body.error['order-service']).toMatchObject({ status: 'down', reason: 'none of its 2 instances is ready' });
    } finally {
      orders[0].ready = orders[1].ready = true;
    }
  });

  it('/metrics counts the instances getting traffic, per service', async () => {
    await http().get('/health/ready').expect(200);

    const metrics = (await http().get('/metrics')).text;

    expect(metrics).toMatch(/gateway_upstream_healthy_instances\{upstream="user-service"\} 2\n/);
    expect(metrics).toMatch(/gateway_upstream_healthy_instances\{upstream="order-service"\} 2\n/);
    expect(metrics).toMatch(/gateway_upstream_healthy_instances\{upstream="payment-service"\} 1\n/);
  });
});
