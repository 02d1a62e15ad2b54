import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { FakeUpstream } from '../test/support/fake-upstream';
import { startGateway } from '../test/support/gateway';

describe('HTTP hardening: security headers, CORS, JSON-only bodies', () => {
  let upstream: FakeUpstream;
  let app: INestApplication;
  const http = () => request(app.getHttpServer());
  const USER = { email: 'ada@example.com', name: 'Ada', password: 'SecurePass123!' };

  beforeAll(async () => {
    upstream = await FakeUpstream.start();
    app = await startGateway({
      USER_SERVICE_URL: upstream.url,
      ORDER_SERVICE_URL: upstream.url,
      PAYMENT_SERVICE_URL: upstream.url,
      CORS_ORIGINS: 'https://shop.example, https://admin.example',
    });
    upstream.answer(() => ({ status: 201, json: { id: 'x' } }));
  });
  afterAll(async () => {
    await app?.close();
    await upstream.close();
  });

  it('sends helmet\'s headers and no X-Powered-By', async () => {
    const res = await http().get('/health/live');

    expect(res.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'strict-transport-security': expect.stringContaining('max-age='),
      'content-security-policy': expect.stringContaining("default-src 'self'"),
    });
    expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('Swagger UI still loads under that policy (no inline scripts)', async () => {
    const html = (await http().get('/api/docs').expect(200)).text;

    expect(html).not.toMatch(/<script>(?!\s*<\/script>)/);
  });

  it("refuses a path that climbs out of Swagger UI's files with 403, in the error shape", async () => {
    const res = await http().get('/api/docs/../../../etc/passwd').expect(403);

    expect(res.body).toEqual({ statusCode: 403, message: 'Forbidden', error: 'Forbidden', requestId: res.headers['x-request-id'] });
  });

  describe('CORS', () => {
    it('allows the configured origins and exposes the API\'s headers', async () => {
      const res = await http().get('/health/live').set('Origin', 'https://shop.example');

      expect(res.headers['access-control-allow-origin']).toBe('https://shop.example');
      expect(res.headers['access-control-expose-headers']).toBe('X-Request-Id,X-Total-Count,Retry-After,Idempotent-Replayed');
    });

    it('says nothing to any other origin (the browser then blocks it)', async () => {
      const res = await http().options('/api/users').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');

      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('JSON only', () => {
    it.each([
      ['text/plain', JSON.stringify(USER)],
      ['application/x-www-form-urlencoded', 'email=ada%40example.com&name=Ada&password=SecurePass123!'],
      ['application/xml', '<user/>'],
    ])('refuses a %s body with 415, without asking the service', async (type, body) => {
      const before = upstream.received.length;

      const res = await http().post('/api/users').set('Content-Type', type).send(body);

      expect(res.status).toBe(415);
      expect(res.body).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type', message: 'Content-Type must be application/json' });
      expect(res.body.requestId).toBe(res.headers['x-request-id']);
      expect(upstream.received.length).toBe(before);
    });

    it('refuses a body without a Content-Type too', async () => {
      const res = await http().put('/api/users/8a6f2c1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b').set('Content-Type', '').send('{"name":"x"}');

      expect(res.status).toBe(415);
    });

    it('takes application/json with a charset', async () => {
      await http().post('/api/users').set('Content-Type', 'application/json; charset=utf-8').send(JSON.stringify(USER)).expect(201);
    });

    it('leaves a POST without a body to validation (400, not 415)', async () => {
      await http().post('/api/auth/login').expect(400);
    });
  });
});
