import type { INestApplication } from '@nestjs/common';
import request from 'supertest';

const KEY = 'it-user-service-key-0123456789abcdef';
const USER = { email: 'keyed@example.com', name: 'Keyed', password: 'SecurePass123!' };

/** The service as it runs behind the gateway: API_KEY set, so only callers holding it get in. */
describe('user-service with API_KEY set', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    // ConfigModule reads the environment when app.module is loaded: set the key before importing it.
    process.env.API_KEY = KEY;
    const { startTestApp, truncateAll } = await import('./test-app');
    const started = await startTestApp();
    app = started.app;
    await truncateAll(started.db);
    http = request(app.getHttpServer());
  });
  afterAll(async () => {
    delete process.env.API_KEY;
    await app?.close();
  });

  it.each([
    ['POST', '/users'],
    ['GET', '/users'],
    ['GET', '/users/3f1e2d4c-5b6a-4789-8abc-def012345678'],
    ['POST', '/auth/verify'],
  ])('refuses %s %s without the key: 401 in the error shape', async (method, path) => {
    const res = await http[method.toLowerCase() as 'get' | 'post'](path).send(method === 'POST' ? USER : undefined);

    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ statusCode: 401, message: 'missing or wrong X-API-Key', error: 'Unauthorized' });
  });

  it('refuses a wrong key, and writes nothing', async () => {
    await http.post('/users').set('X-API-Key', `${KEY}x`).send(USER).expect(401);
    await http.get('/users').set('X-API-Key', KEY).expect(200).expect('X-Total-Count', '0');
  });

  it('serves the caller holding the key', async () => {
    const created = await http.post('/users').set('X-API-Key', KEY).send(USER).expect(201);
    await http.get(`/users/${created.body.id}`).set('X-API-Key', KEY).expect(200);
    await http.post('/auth/verify').set('X-API-Key', KEY).send({ email: USER.email, password: USER.password }).expect(200);
  });

  it('keeps the probes open for the orchestrator and Prometheus', async () => {
    await http.get('/health/live').expect(200);
    await http.get('/health/ready').expect(200);
    await http.get('/metrics').expect(200);
  });
});
