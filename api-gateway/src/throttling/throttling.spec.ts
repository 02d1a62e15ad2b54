import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { FakeUpstream } from '../../test/support/fake-upstream';
import { startGateway } from '../../test/support/gateway';

/** The default login/register limit (5 per minute per IP and route), and a small general limit. */
describe('rate limits', () => {
  let upstream: FakeUpstream;
  let app: INestApplication;
  const http = () => request(app.getHttpServer());
  const login = () => http().post('/api/auth/login').send({ email: 'a@example.com', password: 'WrongPass123!' });

  beforeAll(async () => {
    upstream = await FakeUpstream.start();
    app = await startGateway({
      USER_SERVICE_URL: upstream.url,
      ORDER_SERVICE_URL: upstream.url,
      PAYMENT_SERVICE_URL: upstream.url,
      THROTTLE_LIMIT: '8',
      THROTTLE_TTL_MS: '60000',
    });
    upstream.answer((req) =>
      req.url === '/auth/login'
        ? { status: 401, json: { statusCode: 401, message: 'invalid email or password', error: 'Unauthorized' } }
        : { status: 200, json: [], headers: { 'X-Total-Count': '0' } },
    );
  });
  afterAll(async () => {
    await app?.close();
    await upstream.close();
  });

  it('login: 5 tries a minute per client, then 429 with Retry-After, without asking user-service', async () => {
    for (let i = 0; i < 5; i++) expect((await login()).status).toBe(401);
    const asked = upstream.received.length;

    const res = await login();

    expect(res.status).toBe(429);
    expect(res.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests', message: expect.stringMatching(/^too many requests: retry in \d+ s$/) });
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(upstream.received.length).toBe(asked);
  });

  it('register counts on its own, with the same tight limit', async () => {
    const signUp = { email: 'b@example.com', name: 'B', password: 'SecurePass123!' };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await http().post('/api/auth/register').send(signUp)).status);

    expect(statuses.slice(0, 5)).not.toContain(429);
    expect(statuses[5]).toBe(429);
  });

  it('other routes: THROTTLE_LIMIT per window, then 429 with Retry-After', async () => {
    for (let i = 0; i < 8; i++) await http().get('/api/orders').expect(200);

    const res = await http().get('/api/orders');

    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    // Counted per route: another route still answers.
    await http().get('/api/payments').expect(200);
  });

  it('never limits the probes', async () => {
    for (let i = 0; i < 20; i++) await http().get('/health/live').expect(200);
  });
});
