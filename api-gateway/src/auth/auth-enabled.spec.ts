import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { FakeUpstream } from '../../test/support/fake-upstream';
import { startGateway } from '../../test/support/gateway';
import { bearer, claimsOf, TEST_JWT_SECRET, token } from '../../test/support/tokens';

const ALICE = '1a1a1a1a-1111-4111-8111-111111111111';
const BOB = '2b2b2b2b-2222-4222-8222-222222222222';
const ADMIN = '3c3c3c3c-3333-4333-8333-333333333333';
const ORDER_OF_BOB = '4d4d4d4d-4444-4444-8444-444444444444';
const PAYMENT_OF_BOB = '5e5e5e5e-5555-4555-8555-555555555555';

const SESSION_OF_ALICE = '6f6f6f6f-6666-4666-8666-666666666666';
const SESSION_OF_ADMIN = '7a7a7a7a-7777-4777-8777-777777777777';
const alice = bearer(token({ sub: ALICE, roles: ['user'], sid: SESSION_OF_ALICE }));
const admin = bearer(token({ sub: ADMIN, roles: ['admin'], sid: SESSION_OF_ADMIN }));
const issued = (userId: string, sessionId: string, role = 'user') => ({
  sessionId,
  refreshToken: 'r'.repeat(43),
  refreshExpiresAt: '2030-01-01T00:00:00.000Z',
  user: userRow(userId, role),
});
const userRow = (id: string, role = 'user') => ({ id, email: `${id.slice(0, 4)}@example.com`, name: 'N', role, createdAt: 'x', updatedAt: 'x' });
const orderRow = (id: string, userId: string) => ({ id, userId, kind: 'regular', status: 'paid', items: [], totalAmount: 1, createdAt: 'x', updatedAt: 'x' });
const paymentRow = (id: string, userId: string) => ({ id, orderId: ORDER_OF_BOB, userId, amount: '1.00', status: 'completed', failureReason: null, createdAt: 'x' });

describe('the gateway with AUTH_ENABLED=true', () => {
  let users: FakeUpstream;
  let orders: FakeUpstream;
  let payments: FakeUpstream;
  let app: INestApplication;
  const http = () => request(app.getHttpServer());
  /** The sessions user-service knows as live, with the role of their user now. */
  const live = new Map<string, { userId: string; role: string }>();
  /** user-service answers the gateway's session checks from `live`, everything else with `handler`. */
  const answerUsers = (handler: Parameters<FakeUpstream['answer']>[0]) =>
    users.answer((req) => {
      const check = /^\/auth\/sessions\/([0-9a-f-]{36})\/status$/.exec(req.url);
      if (!check) return handler(req);
      const session = live.get(check[1]);
      return { status: 200, json: session ? { active: true, ...session } : { active: false } };
    });
  /** Requests of the test itself, without the gateway's session checks. */
  const usersCalls = () => users.received.filter((r) => !r.url.endsWith('/status'));

  beforeAll(async () => {
    [users, orders, payments] = await Promise.all([FakeUpstream.start(), FakeUpstream.start(), FakeUpstream.start()]);
    app = await startGateway({
      USER_SERVICE_URL: users.url,
      ORDER_SERVICE_URL: orders.url,
      PAYMENT_SERVICE_URL: payments.url,
      AUTH_ENABLED: 'true',
      JWT_SECRET: TEST_JWT_SECRET,
      JWT_EXPIRATION: '15m',
      SESSION_CHECK_TTL: '1s',
      API_KEY: 'unit-gateway-key',
      THROTTLE_AUTH_LIMIT: '1000',
    });
    live.set(SESSION_OF_ALICE, { userId: ALICE, role: 'user' });
    live.set(SESSION_OF_ADMIN, { userId: ADMIN, role: 'admin' });
    answerUsers((req) => ({ status: 200, json: req.url.startsWith('/users?') ? [] : userRow(req.url.split('/')[2] ?? ALICE) }));
    orders.answer((req) => ({ status: 200, json: req.url.startsWith('/orders/') ? orderRow(req.url.split('/')[2], BOB) : [] }));
    payments.answer((req) => ({ status: 200, json: req.url.startsWith('/payments/') ? paymentRow(PAYMENT_OF_BOB, BOB) : [paymentRow(PAYMENT_OF_BOB, BOB)] }));
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all([users.close(), orders.close(), payments.close()]);
  });

  it('documents bearer tokens on every route but login, register and refresh', async () => {
    const doc = (await http().get('/api/docs-json').expect(200)).body;
    expect(doc.components.securitySchemes).toMatchObject({ bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } });
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { security?: unknown }>>)) {
      for (const op of Object.values(item)) {
        // Login, sign-up and refresh are how a client gets a token; the session routes need one.
        if (['/api/auth/login', '/api/auth/register', '/api/auth/refresh'].includes(path)) expect(op.security).toBeUndefined();
        else expect(op.security).toEqual([{ bearer: [] }]);
      }
    }
  });

  describe('refuses a request without a valid token with 401, before asking any service', () => {
    const refused = async (headers: Record<string, string>, expected = 'missing or invalid bearer token') => {
      const before = users.received.length;
      const res = await http().get(`/api/users/${ALICE}`).set(headers);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', message: expected, requestId: expect.any(String) });
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(users.received.length).toBe(before);
    };

    it('no token', () => refused({}));
    it('not a bearer token', () => refused({ Authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }));
    it('garbage', () => refused({ Authorization: 'Bearer not.a.jwt' }));
    it('signed with another secret', () => refused(bearer(token({ sub: ALICE, roles: ['user'] }, { secret: 'another-secret-another-secret-1234' }))));
    it('alg: none (no signature)', () => refused(bearer(token({ sub: ALICE, roles: ['admin'] }, { alg: 'none' }))));
    it('HS512 with the right secret (only HS256 is accepted)', () => refused(bearer(token({ sub: ALICE, roles: ['user'] }, { alg: 'HS512' }))));
    it('expired, saying so', () => refused(bearer(token({ sub: ALICE, roles: ['user'] }, { expiresIn: -10 })), 'token expired: log in again'));
    it('issued for another API', () => refused(bearer(token({ sub: ALICE, roles: ['user'] }, { aud: 'someone-else' }))));
    it('from another issuer', () => refused(bearer(token({ sub: ALICE, roles: ['user'] }, { iss: 'evil' }))));
    it('a sub that is not a user id', () => refused(bearer(token({ sub: 'admin', roles: ['admin'] }))));
    it('an unknown role', () => refused(bearer(token({ sub: ALICE, roles: ['root'] }))));
    it('a payload edited after signing (role raised)', () => {
      const [h, , s] = token({ sub: ALICE, roles: ['user'] }).split('.');
      const raised = Buffer.from(JSON.stringify({ ...claimsOf(alice.Authorization.slice(7)), roles: ['admin'] })).toString('base64url');
      return refused({ Authorization: `Bearer ${h}.${raised}.${s}` });
    });
  });

  it('keeps the probes and the docs open', async () => {
    await http().get('/health/live').expect(200);
    await http().get('/metrics').expect(200);
    await http().get('/api/docs-json').expect(200);
  });

  describe('passes the identity to the services in headers it sets itself', () => {
    it('X-User-Id and X-User-Roles from the token, with the API key', async () => {
      await http().get(`/api/users/${ALICE}`).set(alice).expect(200);

      expect(users.last.headers).toMatchObject({ 'x-user-id': ALICE, 'x-user-roles': 'user', 'x-session-id': SESSION_OF_ALICE, 'x-api-key': 'unit-gateway-key' });
      expect(users.last.headers.authorization).toBeUndefined();
    });

    it('never the copies a client sends', async () => {
      await http().get(`/api/users/${ALICE}`).set({ ...alice, 'X-User-Id': BOB, 'X-User-Roles': 'admin', 'X-API-Key': 'mine' }).expect(200);

      expect(users.last.headers).toMatchObject({ 'x-user-id': ALICE, 'x-user-roles': 'user', 'x-api-key': 'unit-gateway-key' });
    });
  });

  describe('roles are the gateway\'s: listing and creating users is for admins', () => {
    it.each([
      ['GET', '/api/users', undefined],
      ['POST', '/api/users', { email: 'm@example.com', name: 'M', password: 'SecurePass123!' }],
    ])('a user may not %s %s: 403, and user-service is not asked', async (method, path, body) => {
      const before = usersCalls().length;

      const res = await http()[method.toLowerCase() as 'get'](path).set(alice).send(body);

      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
      expect(usersCalls().length).toBe(before);
    });

    it('cannot make themselves admin by updating (the role is not a field)', async () => {
      const res = await http().put(`/api/users/${ALICE}`).set(alice).send({ role: 'admin' });

      expect(res.status).toBe(400);
      expect(res.body.message).toEqual(['property role should not exist']);
    });

    it('an admin lists, reads, changes and creates anyone, with any role', async () => {
      await http().get('/api/users').set(admin).expect(200);
      await http().get(`/api/users/${BOB}`).set(admin).expect(200);
      await http().put(`/api/users/${BOB}`).set(admin).send({ name: 'Bob' }).expect(200);
      answerUsers(() => ({ status: 201, json: userRow(BOB, 'admin') }));
      await http().post('/api/users').set(admin).send({ email: 'b@example.com', name: 'B', password: 'SecurePass123!', role: 'admin' }).expect(201);
      expect(JSON.parse(users.last.body)).toMatchObject({ role: 'admin' });
      answerUsers((req) => ({ status: 200, json: req.url.startsWith('/users?') ? [] : userRow(req.url.split('/')[2] ?? ALICE) }));
    });
  });

  describe('ownership is the services\': the gateway asks as the token\'s user and relays their answer unchanged', () => {
    const item = { productId: 'product-1', quantity: 1, price: 1 };
    const refusal = (status: 403 | 404, message: string) => ({ status, json: { statusCode: status, message, error: status === 403 ? 'Forbidden' : 'Not Found', requestId: 'r' } });

    it.each([
      ['GET', `/api/users/${BOB}`, undefined, 'users'],
      ['PUT', `/api/users/${BOB}`, { name: 'Mallory' }, 'users'],
      ['DELETE', `/api/users/${BOB}`, undefined, 'users'],
      ['POST', '/api/orders', { userId: BOB, items: [item] }, 'orders'],
      ['GET', `/api/orders?userId=${BOB}`, undefined, 'orders'],
    ])('%s %s: the service\'s 403 reaches the client', async (method, path, body, service) => {
      const upstream = service === 'users' ? users : orders;
      upstream.answer(() => refusal(403, 'not yours'));
      try {
        const res = await http()[method.toLowerCase() as 'get'](path).set(alice).send(body);

        expect(res.status).toBe(403);
        expect(res.body).toMatchObject({ statusCode: 403, message: 'not yours' });
        expect(upstream.last.headers).toMatchObject({ 'x-user-id': ALICE, 'x-user-roles': 'user' });
      } finally {
        answerUsers((req) => ({ status: 200, json: req.url.startsWith('/users?') ? [] : userRow(req.url.split('/')[2] ?? ALICE) }));
        orders.answer((req) => ({ status: 200, json: req.url.startsWith('/orders/') ? orderRow(req.url.split('/')[2], BOB) : [] }));
      }
    });

    it('lists pass the query as given: the service narrows a user\'s list in SQL (pages and totals stay right)', async () => {
      await http().get('/api/orders').set(alice).expect(200);
      expect(orders.last.url).toBe('/orders?limit=20&offset=0');
      expect(orders.last.headers).toMatchObject({ 'x-user-id': ALICE });
      await http().get('/api/payments').set(alice).expect(200);
      expect(payments.last.url).toBe('/payments?limit=20&offset=0');
    });

    it('someone else\'s order or payment: the service\'s 404 reaches the client, nothing is filtered after the fact', async () => {
      orders.answer(() => refusal(404, `order ${ORDER_OF_BOB} not found`));
      payments.answer(() => refusal(404, `payment ${PAYMENT_OF_BOB} not found`));
      try {
        const order = await http().get(`/api/orders/${ORDER_OF_BOB}`).set(alice);
        expect(order.status).toBe(404);
        expect(order.body).toMatchObject({ statusCode: 404, message: `order ${ORDER_OF_BOB} not found`, error: 'Not Found' });
        await http().get(`/api/payments/${PAYMENT_OF_BOB}`).set(alice).expect(404);
      } finally {
        orders.answer((req) => ({ status: 200, json: req.url.startsWith('/orders/') ? orderRow(req.url.split('/')[2], BOB) : [] }));
        payments.answer((req) => ({ status: 200, json: req.url.startsWith('/payments/') ? paymentRow(PAYMENT_OF_BOB, BOB) : [paymentRow(PAYMENT_OF_BOB, BOB)] }));
      }
    });

    it('an admin is passed on as an admin', async () => {
      await http().get(`/api/orders/${ORDER_OF_BOB}`).set(admin).expect(200);
      expect(orders.last.headers).toMatchObject({ 'x-user-roles': 'admin' });
    });
  });

  describe('POST /api/auth/login', () => {
    it('answers a signed HS256 token of the session user-service opened, and its refresh token', async () => {
      answerUsers(() => ({ status: 200, json: issued(ALICE, SESSION_OF_ALICE) }));

      const res = await http().post('/api/auth/login').set('User-Agent', 'unit-agent').send({ email: 'alice@example.com', password: 'SecurePass123!' }).expect(200);

      expect(users.last).toMatchObject({ method: 'POST', url: '/auth/login' });
      expect(JSON.parse(users.last.body)).toMatchObject({ email: 'alice@example.com', userAgent: 'unit-agent', ip: expect.any(String) });
      expect(res.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, refreshToken: 'r'.repeat(43), sessionId: SESSION_OF_ALICE, user: { id: ALICE, role: 'user' } });
      const claims = claimsOf(res.body.accessToken);
      expect(claims).toMatchObject({ sub: ALICE, roles: ['user'], sid: SESSION_OF_ALICE, iss: 'nest-ms-api-gateway', aud: 'nest-ms-api' });
      expect((claims.exp as number) - (claims.iat as number)).toBe(900);
      expect(JSON.parse(Buffer.from(res.body.accessToken.split('.')[0], 'base64url').toString())).toMatchObject({ alg: 'HS256' });
      // ...and the gateway takes its own token.
      answerUsers(() => ({ status: 200, json: userRow(ALICE) }));
      await http().get(`/api/users/${ALICE}`).set(bearer(res.body.accessToken)).expect(200);
    });

    it('answers one 401 whatever user-service said was wrong', async () => {
      answerUsers(() => ({ status: 401, json: { statusCode: 401, message: 'invalid email or password', error: 'Unauthorized' } }));

      const res = await http().post('/api/auth/login').send({ email: 'alice@example.com', password: 'nope' });

      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ statusCode: 401, message: 'invalid email or password', error: 'Unauthorized' });
    });
  });

  describe('POST /api/auth/register', () => {
    const signUp = { email: 'new@example.com', name: 'New', password: 'SecurePass123!' };

    it('creates a plain user and opens their first session', async () => {
      answerUsers((req) => ({ status: 201, json: req.url === '/users' ? userRow(ALICE) : issued(ALICE, SESSION_OF_ALICE) }));

      const res = await http().post('/api/auth/register').send(signUp).expect(201);

      const [created, opened] = usersCalls().slice(-2);
      expect(created).toMatchObject({ method: 'POST', url: '/users' });
      expect(JSON.parse(created.body)).toEqual({ ...signUp, role: 'user' });
      expect(opened).toMatchObject({ method: 'POST', url: '/auth/sessions' });
      expect(JSON.parse(opened.body)).toMatchObject({ userId: ALICE });
      expect(claimsOf(res.body.accessToken)).toMatchObject({ sub: ALICE, roles: ['user'], sid: SESSION_OF_ALICE });
    });

    it('sends its Idempotency-Key with the user\'s creation only, and says when user-service replayed it', async () => {
      answerUsers((req) =>
        req.url === '/users'
          ? { status: 201, json: userRow(ALICE), headers: { 'Idempotent-Replayed': 'true' } }
          : { status: 201, json: issued(ALICE, SESSION_OF_ALICE) },
      );

      const res = await http().post('/api/auth/register').set('Idempotency-Key', 'sign-up-1').send(signUp).expect(201);

      const [created, opened] = usersCalls().slice(-2);
      expect(created.headers['idempotency-key']).toBe('sign-up-1');
      expect(opened.headers['idempotency-key']).toBeUndefined();
      expect(res.headers['idempotent-replayed']).toBe('true');
      expect(claimsOf(res.body.accessToken)).toMatchObject({ sub: ALICE, sid: SESSION_OF_ALICE });
    });

    it('refuses to make anyone admin (403), without asking user-service', async () => {
      const before = usersCalls().length;

      const res = await http().post('/api/auth/register').send({ ...signUp, role: 'admin' });

      expect(res.status).toBe(403);
      expect(usersCalls().length).toBe(before);
    });

    it('passes user-service\'s 409 through, and applies the password and email-domain rules', async () => {
      answerUsers(() => ({ status: 409, json: { statusCode: 409, message: 'a user with email new@example.com already exists', error: 'Conflict' } }));
      await http().post('/api/auth/register').send(signUp).expect(409);

      const weak = await http().post('/api/auth/register').send({ ...signUp, password: 'password' }).expect(400);
      expect(weak.body.message).toEqual([expect.stringMatching(/^password must have at least 8 characters/)]);
      await http().post('/api/auth/register').send({ ...signUp, email: 'x@mailinator.com' }).expect(400);
    });
  });

  describe('sessions that can end', () => {
    const bobsSession = '8b8b8b8b-8888-4888-8888-888888888888';
    const bob = bearer(token({ sub: BOB, roles: ['user'], sid: bobsSession }));
    const settle = () => new Promise((r) => setTimeout(r, 1100)); // SESSION_CHECK_TTL is 1 s here

    beforeEach(() => answerUsers((req) => ({ status: 200, json: req.url.startsWith('/users?') ? [] : userRow(req.url.split('/')[2] ?? ALICE) })));

    it('refuses the token of an ended session within SESSION_CHECK_TTL, and a token without a session at once', async () => {
      live.set(bobsSession, { userId: BOB, role: 'user' });
      await http().get(`/api/users/${BOB}`).set(bob).expect(200);
      live.delete(bobsSession);
      await settle();

      const res = await http().get(`/api/users/${BOB}`).set(bob);
      expect(res.status).toBe(401);
      expect(res.body.message).toBe('session ended: log in again');
      expect((await http().get(`/api/users/${ALICE}`).set(bearer(token({ sub: ALICE, roles: ['user'] })))).status).toBe(401);
    });

    it('takes the role the user has now: an admin demoted since the token was issued gets 403 on admin routes', async () => {
      const demoted = '9c9c9c9c-9999-4999-8999-999999999999';
      live.set(demoted, { userId: ADMIN, role: 'user' });
      const res = await http().get('/api/users').set(bearer(token({ sub: ADMIN, roles: ['admin'], sid: demoted })));
      expect(res.status).toBe(403);
    });

    it('asks user-service once per session per SESSION_CHECK_TTL, not once per request', async () => {
      live.set(bobsSession, { userId: BOB, role: 'user' });
      await settle();
      const before = users.received.filter((r) => r.url.endsWith(`${bobsSession}/status`)).length;
      const started = Date.now();
      for (let i = 0; i < 10; i++) await http().get(`/api/users/${BOB}`).set(bob).expect(200);
      const asked = users.received.filter((r) => r.url.endsWith(`${bobsSession}/status`)).length - before;
      // Once per started TTL (1 s here) while the requests ran: once, unless a loaded machine took longer.
      const ttlsStarted = 1 + Math.floor((Date.now() - started) / 1000);
      expect(asked).toBeGreaterThanOrEqual(1);
      expect(asked).toBeLessThanOrEqual(Math.min(ttlsStarted, 9));
    });

    it('refresh: a new pair for a refresh token; a refused one is one 401', async () => {
      answerUsers(() => ({ status: 200, json: issued(ALICE, SESSION_OF_ALICE) }));
      const res = await http().post('/api/auth/refresh').send({ refreshToken: 'x'.repeat(43) }).expect(200);
      expect(users.last).toMatchObject({ method: 'POST', url: '/auth/refresh' });
      expect(claimsOf(res.body.accessToken)).toMatchObject({ sub: ALICE, sid: SESSION_OF_ALICE });
      await http().post('/api/auth/refresh').send({ refreshToken: 'short' }).expect(400);

      answerUsers(() => ({ status: 401, json: { statusCode: 401, message: 'invalid or expired refresh token: log in again', error: 'Unauthorized' } }));
      const refused = await http().post('/api/auth/refresh').send({ refreshToken: 'x'.repeat(43) });
      expect(refused.status).toBe(401);
      expect(refused.body.message).toBe('invalid or expired refresh token: log in again');
    });

    it('logout ends the token\'s session at user-service, and this gateway refuses the token at once', async () => {
      live.set(bobsSession, { userId: BOB, role: 'user' });
      await settle();
      await http().get(`/api/users/${BOB}`).set(bob).expect(200);
      answerUsers(() => {
        live.delete(bobsSession);
        return { status: 204 };
      });
      const calls = usersCalls().length;
      const withBody = await http().post('/api/auth/logout').set(bob).send({ everywhere: true });
      expect({ status: withBody.status, message: withBody.body.message }).toEqual({ status: 400, message: ['property everywhere should not exist: this route takes no body'] });
      expect(usersCalls()).toHaveLength(calls);
      await http().post('/api/auth/logout').set(bob).expect(204);
      expect(usersCalls().at(-1)).toMatchObject({ method: 'DELETE', url: `/auth/sessions/${bobsSession}` });
      expect((await http().get(`/api/users/${BOB}`).set(bob)).status).toBe(401);
    });
  });
});
