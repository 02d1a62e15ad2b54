import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { FakeUpstream } from '../test/support/fake-upstream';
import { startGateway } from '../test/support/gateway';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('the gateway app as main.ts sets it up', () => {
  let upstream: FakeUpstream;
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    upstream = await FakeUpstream.start();
    app = await startGateway({ USER_SERVICE_URL: upstream.url, ORDER_SERVICE_URL: upstream.url, PAYMENT_SERVICE_URL: upstream.url });
    upstream.answer(() => ({ status: 200, json: [], headers: { 'X-Total-Count': '0' } }));
  });
  afterAll(async () => {
    await app?.close();
    await upstream.close();
  });

  describe('request ids', () => {
    it('generates one when the caller sends none, echoes it and forwards the same one', async () => {
      const res = await http().get('/api/users');

      const id = res.headers['x-request-id'];
      expect(id).toMatch(UUID);
      expect(upstream.last.headers['x-request-id']).toBe(id);
    });

    it('keeps the caller\'s, echoes it and forwards it', async () => {
      const res = await http().get('/api/orders').set('X-Request-Id', 'trace-me-42');

      expect(res.headers['x-request-id']).toBe('trace-me-42');
      expect(upstream.last.headers['x-request-id']).toBe('trace-me-42');
    });

    it('replaces one that is not a sane id (header injection, huge)', async () => {
      const res = await http().get('/api/payments').set('X-Request-Id', 'x'.repeat(500));

      expect(res.headers['x-request-id']).toMatch(UUID);
      expect(upstream.last.headers['x-request-id']).toBe(res.headers['x-request-id']);
    });

    it('puts it in the gateway\'s own error bodies', async () => {
      const res = await http().get('/api/users/nope').set('X-Request-Id', 'bad-id-call');

      expect(res.status).toBe(400);
      expect(res.body.requestId).toBe('bad-id-call');
    });
  });

  describe('where things are', () => {
    it('/health/live and /metrics at the root, not under /api', async () => {
      await http().get('/health/live').expect(200, { status: 'ok' });
      await http().get('/metrics').expect(200);
      await http().get('/api/health/live').expect(404);
      await http().get('/api/metrics').expect(404);
    });

    it('the API only under /api', async () => {
      await http().get('/users').expect(404);
      await http().get('/api/users').expect(200);
    });

    it('an unknown route is a 404 in the error shape', async () => {
      const res = await http().get('/api/nothing-here');

      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found', requestId: res.headers['x-request-id'] });
    });

    it('Swagger UI at /api/docs', async () => {
      const res = await http().get('/api/docs');

      expect(res.status).toBe(200);
      expect(res.text).toContain('swagger');
    });
  });

  it.each([['a string', 'hello'], ['null', null], ['a number', 42]])('passes a bare JSON value (%s) through as JSON', async (_case, value) => {
    upstream.answer(() => ({ status: 200, raw: JSON.stringify(value), headers: { 'content-type': 'application/json' } }));

    const res = await http().get('/api/users');

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(res.text)).toEqual(value);
    upstream.answer(() => ({ status: 200, json: [], headers: { 'X-Total-Count': '0' } }));
  });

  it('/metrics has the request histogram by route template and the upstream histogram', async () => {
    await http().get('/api/users?limit=5').expect(200);

    const metrics = (await http().get('/metrics')).text;

    expect(metrics).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/api\/users",status_code="200"\} [1-9]/);
    expect(metrics).toMatch(/gateway_upstream_duration_seconds_count\{upstream="user-service",upstream_instance="[^"]+",method="GET",status_code="200"\} [1-9]/);
  });
});
