import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { FakeUpstream } from '../../test/support/fake-upstream';
import { startGateway } from '../../test/support/gateway';

const ID = '8a6f2c1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b';
const NEW_USER = { email: 'ada@example.com', name: 'Ada', password: 'SecurePass123!' };
const USER = { id: ID, email: 'ada@example.com', name: 'Ada', role: 'user', createdAt: '2025-01-31T12:00:00.000Z', updatedAt: '2025-01-31T12:00:00.000Z' };

describe('/api/users through the gateway', () => {
  let users: FakeUpstream;
  let others: FakeUpstream;
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    [users, others] = await Promise.all([FakeUpstream.start(), FakeUpstream.start()]);
    app = await startGateway({
      USER_SERVICE_URL: users.url,
      ORDER_SERVICE_URL: others.url,
      PAYMENT_SERVICE_URL: others.url,
      UPSTREAM_TIMEOUT_MS: '300',
      API_KEY: 'gateway-key',
    });
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all([users.close(), others.close()]);
  });

  describe('forwards each route to user-service and answers what it answered', () => {
    it('POST /api/users -> POST /users with the validated body, the request id and the api key', async () => {
      users.answer(() => ({ status: 201, json: USER }));

      const res = await http().post('/api/users').set('X-Request-Id', 'caller-id-1').send(NEW_USER);

      expect(res.status).toBe(201);
      expect(res.body).toEqual(USER);
      expect(res.headers['x-request-id']).toBe('caller-id-1');
      expect(users.last).toMatchObject({ method: 'POST', url: '/users' });
      expect(JSON.parse(users.last.body)).toEqual(NEW_USER);
      expect(users.last.headers).toMatchObject({ 'x-request-id': 'caller-id-1', 'x-api-key': 'gateway-key', 'content-type': 'application/json' });
    });

    it('POST /api/users forwards the Idempotency-Key and passes a replay header back', async () => {
      users.answer(() => ({ status: 201, json: USER, headers: { 'Idempotent-Replayed': 'true' } }));

      const res = await http().post('/api/users').set('Idempotency-Key', 'retry-me-1').send(NEW_USER);

      expect(res.status).toBe(201);
      expect(res.headers['idempotent-replayed']).toBe('true');
      expect(users.last.headers['idempotency-key']).toBe('retry-me-1');
    });

    it('POST /api/users without a key sends none and adds no replay header', async () => {
      users.answer(() => ({ status: 201, json: USER }));

      const res = await http().post('/api/users').send(NEW_USER).expect(201);

      expect(res.headers['idempotent-replayed']).toBeUndefined();
      expect(users.last.headers['idempotency-key']).toBeUndefined();
    });

    it('refuses a malformed Idempotency-Key with 400 naming it, without asking user-service', async () => {
      const before = users.received.length;

      const res = await http().post('/api/users').set('Idempotency-Key', 'two words').send(NEW_USER).expect(400);

      expect(res.body.message).toMatch(/^Idempotency-Key must be visible ASCII characters only/);
      expect(users.received.length).toBe(before);
    });

    it('GET /api/users -> GET /users?limit&offset, with X-Total-Count', async () => {
      users.answer(() => ({ status: 200, json: [USER], headers: { 'X-Total-Count': '21' } }));

      const res = await http().get('/api/users?limit=1&offset=20');

      expect(res.status).toBe(200);
      expect(res.body).toEqual([USER]);
      expect(res.headers['x-total-count']).toBe('21');
      expect(users.last).toMatchObject({ method: 'GET', url: '/users?limit=1&offset=20', body: '' });
    });

    it('GET /api/users without paging asks for the default page', async () => {
      users.answer(() => ({ status: 200, json: [], headers: { 'X-Total-Count': '0' } }));

      await http().get('/api/users').expect(200);

      expect(users.last.url).toBe('/users?limit=20&offset=0');
    });

    it('GET /api/users/:id -> GET /users/:id', async () => {
      users.answer(() => ({ status: 200, json: USER }));

      const res = await http().get(`/api/users/${ID}`);

      expect(res.status).toBe(200);
      expect(res.body).toEqual(USER);
      expect(users.last).toMatchObject({ method: 'GET', url: `/users/${ID}` });
    });

    it('PUT /api/users/:id -> PUT /users/:id with the changes', async () => {
      users.answer(() => ({ status: 200, json: { ...USER, name: 'Ada L.' } }));

      const res = await http().put(`/api/users/${ID}`).send({ name: 'Ada L.' });

      expect(res.status).toBe(200);
      expect(res.body.name).toBe('Ada L.');
      expect(users.last).toMatchObject({ method: 'PUT', url: `/users/${ID}` });
      expect(JSON.parse(users.last.body)).toEqual({ name: 'Ada L.' });
    });

    it('DELETE /api/users/:id -> DELETE /users/:id, 204 and no body', async () => {
      users.answer(() => ({ status: 204 }));

      const res = await http().delete(`/api/users/${ID}`);

      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(users.last).toMatchObject({ method: 'DELETE', url: `/users/${ID}` });
    });

    it('DELETE /api/users/:id with a body holding properties: 400 naming them, user-service not asked', async () => {
      const before = users.received.length;

      const res = await http().delete(`/api/users/${ID}`).send({ confirm: true });

      expect(res.status).toBe(400);
      expect(res.body.message).toEqual(['property confirm should not exist: this route takes no body']);
      expect(users.received.length).toBe(before);
    });

    it.each([
      [404, { statusCode: 404, message: `user ${ID} not found`, error: 'Not Found', requestId: 'r-404', code: 'USER.NOT_FOUND' }],
      [409, { statusCode: 409, message: 'a user with email ada@example.com already exists', error: 'Conflict', requestId: 'r-409' }],
      [400, { statusCode: 400, message: ['email must be an email'], error: 'Bad Request', requestId: 'r-400' }],
    ])('passes a %i from user-service through unchanged', async (status, body) => {
      users.answer(() => ({ status, json: body }));

      const res = await http().put(`/api/users/${ID}`).set('X-Request-Id', body.requestId).send({ name: 'x' });

      expect(res.status).toBe(status);
      expect(res.body).toEqual(body);
    });
  });

  describe('refuses bad input itself, with 400 naming the fields, without asking user-service', () => {
    const refused = async (send: () => request.Test): Promise<request.Response> => {
      const before = users.received.length;
      const res = await send();
      expect(users.received.length).toBe(before);
      return res;
    };

    it('a missing and an invalid field', async () => {
      const res = await refused(() => http().post('/api/users').send({ email: 'not-an-email', password: 'short' }));

      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', requestId: res.headers['x-request-id'] });
      expect(res.body.message).toEqual(
        expect.arrayContaining(['email must be an email', 'name must be a string', 'password must have at least 8 characters with an upper-case letter, a lower-case letter, a digit and a symbol']),
      );
    });

    it('an unknown field', async () => {
      const res = await refused(() => http().post('/api/users').send({ ...NEW_USER, isAdmin: true }));

      expect(res.status).toBe(400);
      expect(res.body.message).toEqual(['property isAdmin should not exist']);
    });

    it('a non-uuid id', async () => {
      const res = await refused(() => http().get('/api/users/42'));

      expect(res.status).toBe(400);
      expect(res.body.message).toBe('id must be a UUID');
    });

    it.each([
      ['a bad escape', '%zz'],
      ['an overlong UTF-8 form', '%C0%AF'],
      ['over 1,000 characters', 'a'.repeat(3000)],
    ])('an id with %s: the same 400, with the request id and the security headers of every answer', async (_name, id) => {
      const res = await refused(() => http().get(`/api/users/${id}`).set('X-Request-Id', 'odd-id-1'));

      expect(res.status).toBe(400);
      expect(res.body).toEqual({ statusCode: 400, message: 'id must be a UUID', error: 'Bad Request', requestId: 'odd-id-1' });
      expect(res.headers).toMatchObject({ 'x-request-id': 'odd-id-1', 'x-content-type-options': 'nosniff' });
    });

    it.each([['0'], ['101'], ['abc'], ['1.5'], ['1&limit=2']])('limit=%s', async (limit) => {
      const res = await refused(() => http().get(`/api/users?limit=${limit}`));

      expect(res.status).toBe(400);
      expect(res.body.message.join(' ')).toMatch(/limit/);
    });

    it('malformed JSON', async () => {
      const res = await refused(() => http().post('/api/users').set('content-type', 'application/json').send('{"email": "a@b.co",'));

      // Nest turns the parser's SyntaxError into a BadRequestException carrying the parser's message.
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ statusCode: 400, message: expect.stringMatching(/JSON/), error: 'Bad Request', requestId: res.headers['x-request-id'] });
    });

    it('a JSON array instead of an object', async () => {
      const res = await refused(() => http().post('/api/users').send([NEW_USER]));

      expect(res.status).toBe(400);
      expect(res.body.message).toBe('malformed JSON body: a JSON object ({…}) is expected');
    });

    it('a body over 1 MB, with 413', async () => {
      const res = await refused(() => http().post('/api/users').send({ ...NEW_USER, name: 'x'.repeat(1_100_000) }));

      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large', requestId: res.headers['x-request-id'] });
    });
  });

  describe('when user-service cannot serve', () => {
    it('503 naming it when it drops the connection', async () => {
      users.answer(() => ({ reset: true }));

      const res = await http().get(`/api/users/${ID}`).set('X-Request-Id', 'down-1');

      expect(res.status).toBe(503);
      expect(res.body).toEqual({ statusCode: 503, message: 'user-service unavailable', error: 'Service Unavailable', requestId: 'down-1' });
    });

    it('504 naming it and the deadline when it is too slow', async () => {
      users.answer(() => ({ status: 200, json: USER, delayMs: 1500 }));

      const res = await http().get(`/api/users/${ID}`).set('X-Request-Id', 'slow-1');

      expect(res.status).toBe(504);
      expect(res.body).toEqual({
        statusCode: 504,
        message: 'user-service did not answer within 300 ms',
        error: 'Gateway Timeout',
        requestId: 'slow-1',
      });
    });

    it('502 without its details when it fails with a 500', async () => {
      users.answer(() => ({ status: 500, json: { statusCode: 500, message: 'Internal server error', stack: 'at secret.ts:1' } }));

      const res = await http().get(`/api/users/${ID}`);

      expect(res.status).toBe(502);
      expect(res.body).toEqual({
        statusCode: 502,
        message: 'user-service failed to answer the request (HTTP 500)',
        error: 'Bad Gateway',
        requestId: res.headers['x-request-id'],
      });
    });

    it('its 503 passes through (e.g. its database is down)', async () => {
      const body = { statusCode: 503, message: 'database unavailable, try again shortly', error: 'Service Unavailable', requestId: 'db-1' };
      users.answer(() => ({ status: 503, json: body }));

      const res = await http().get(`/api/users/${ID}`).set('X-Request-Id', 'db-1');

      expect(res.status).toBe(503);
      expect(res.body).toEqual(body);
    });
  });
});
