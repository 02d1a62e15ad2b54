import { existsSync, readFileSync } from 'node:fs';
import { Pool } from 'pg';
import { forgeToken } from '../support/jwt';
import { repoPath } from '../support/repo';
import { SpawnedApp, spawnApp } from '../support/spawned-app';
import { uniqueEmail } from './gateway';

jest.setTimeout(120000);

/**
 * The system with AUTH_ENABLED=true: a second built gateway, started here on its own port, in
 * front of the services `npm test` runs (which demand the API key). Everything secret used or
 * issued here is collected, and at the end no log line may contain any of it.
 */
const SERVICES = {
  users: process.env.USER_SERVICE_URL || 'http://localhost:4001',
  orders: process.env.ORDER_SERVICE_URL || 'http://localhost:4002',
  payments: process.env.PAYMENT_SERVICE_URL || 'http://localhost:4003',
};
const API_KEY = process.env.API_KEY ?? '';
const JWT_SECRET = `e2e-jwt-secret-${Date.now()}-0123456789abcdef`;
const PASSWORD = 'SecurePass123!';
const LOGIN_LIMIT = 10;
const ITEM = { productId: 'product-e2e', quantity: 1, price: 9.99 };
/** The gateways' session check interval here: how late a revocation may bite. */
const SESSION_CHECK_S = 1;

interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

async function call(base: string, method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // kept as text
  }
  return { status: res.status, body, headers: res.headers };
}

describe('security, end to end (AUTH_ENABLED=true gateway, services behind API_KEY)', () => {
  let gw: SpawnedApp;
  const api = (method: string, path: string, opts?: Parameters<typeof call>[3]) => call(gw.url, method, path, opts);
  /** Every secret of this run: none may show up in a log line. */
  const secrets: string[] = [JWT_SECRET, PASSWORD];
  let loginsUsed = 0;
  const login = async (email: string, password: string) => {
    loginsUsed++;
    return api('POST', '/api/auth/login', { body: { email, password } });
  };

  const alice = { email: uniqueEmail('alice'), id: '', token: '' };
  const bob = { email: uniqueEmail('bob'), id: '', token: '' };
  const admin = { email: uniqueEmail('admin'), id: '', token: '' };
  let bobsOrder = '';

  beforeAll(async () => {
    if (!API_KEY) throw new Error('API_KEY is not set: run through `npm test`, which starts the services with it');
    secrets.push(API_KEY);
    gw = await spawnApp('api-gateway', {
      AUTH_ENABLED: 'true',
      JWT_SECRET,
      JWT_EXPIRATION: '10m',
      API_KEY,
      USER_SERVICE_URL: SERVICES.users,
      ORDER_SERVICE_URL: SERVICES.orders,
      PAYMENT_SERVICE_URL: SERVICES.payments,
      THROTTLE_AUTH_LIMIT: String(LOGIN_LIMIT),
      SESSION_CHECK_TTL: `${SESSION_CHECK_S}s`,
      LOG_LEVEL: 'debug',
    }, 30000);
    for (const who of [alice, bob]) {
      const res = await api('POST', '/api/auth/register', { body: { email: who.email, name: 'E2E', password: PASSWORD } });
      expect(res.status).toBe(201);
      expect(res.body.user).toMatchObject({ email: who.email, role: 'user' });
      Object.assign(who, { id: res.body.user.id, token: res.body.accessToken });
      secrets.push(who.token);
    }
    // The first admin: made with the key, as `npm run seed:admin` or ADMIN_EMAIL would; never through the gateway.
    const made = await call(SERVICES.users, 'POST', '/users', {
      headers: { 'x-api-key': API_KEY },
      body: { email: admin.email, name: 'E2E admin', password: PASSWORD, role: 'admin' },
    });
    expect(made.status).toBe(201);
    const res = await login(admin.email, PASSWORD);
    expect(res.status).toBe(200);
    Object.assign(admin, { id: res.body.user.id, token: res.body.accessToken });
    secrets.push(admin.token);
    const placed = await api('POST', '/api/orders', { token: bob.token, body: { userId: bob.id, items: [ITEM] } });
    expect(placed.status).toBe(201);
    bobsOrder = placed.body.id;
  });
  afterAll(async () => gw?.stop());

  describe('the services accept only the gateway (X-API-Key)', () => {
    it.each([
      ['users', 'GET', '/users'],
      ['users', 'POST', '/auth/verify'],
      ['orders', 'GET', '/orders'],
      ['payments', 'GET', '/payments'],
    ] as const)('%s: %s %s without the key is 401', async (service, method, path) => {
      const body = method === 'POST' ? { email: alice.email, password: PASSWORD } : undefined;
      const res = await call(SERVICES[service], method, path, { body });

      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ statusCode: 401, message: 'missing or wrong X-API-Key', error: 'Unauthorized' });
    });

    it('a wrong key is 401 too, the right one is served, the probes need none', async () => {
      expect((await call(SERVICES.users, 'GET', `/users/${alice.id}`, { headers: { 'x-api-key': `${API_KEY}-not` } })).status).toBe(401);
      expect((await call(SERVICES.users, 'GET', `/users/${alice.id}`, { headers: { 'x-api-key': API_KEY } })).status).toBe(200);
      expect((await call(SERVICES.users, 'GET', '/health/ready')).status).toBe(200);
    });

    it.each(['users', 'orders', 'payments'] as const)("%s: its Swagger pages need the key too", async (service) => {
      for (const path of ['/docs', '/docs-json']) {
        const refused = await call(SERVICES[service], 'GET', path);
        expect({ path, status: refused.status }).toEqual({ path, status: 401 });
        expect(refused.body).toMatchObject({ statusCode: 401, message: 'missing or wrong X-API-Key' });
        expect((await call(SERVICES[service], 'GET', path, { headers: { 'x-api-key': API_KEY } })).status).toBe(200);
      }
    });
  });

  describe('no valid token, no access (401)', () => {
    const refused = async (token: string | undefined) => {
      for (const path of [`/api/users/${alice.id}`, '/api/orders', `/api/orders/${bobsOrder}`, '/api/payments']) {
        const res = await api('GET', path, { token });
        expect({ path, status: res.status, auth: res.headers.get('www-authenticate') }).toEqual({ path, status: 401, auth: 'Bearer' });
      }
    };

    it('no token', () => refused(undefined));
    it('signed with another secret', () => refused(forgeToken({ sub: alice.id, roles: ['admin'] }, 'another-secret-another-secret-0000')));
    it('alg: none', () => refused(forgeToken({ sub: alice.id, roles: ['admin'] }, JWT_SECRET, { alg: 'none' })));
    it('expired (right secret)', () => refused(forgeToken({ sub: alice.id, roles: ['user'] }, JWT_SECRET, { expiresIn: -60 })));
    it('garbage', () => refused('not-a-token'));
  });

  describe('a user reads and changes only their own user', () => {
    it('Alice reads and renames herself', async () => {
      expect((await api('GET', `/api/users/${alice.id}`, { token: alice.token })).body).toMatchObject({ id: alice.id, email: alice.email });
      expect((await api('PUT', `/api/users/${alice.id}`, { token: alice.token, body: { name: 'Alice' } })).status).toBe(200);
    });

    it.each([
      ['read Bob', 'GET', (): string => `/api/users/${bob.id}`, undefined],
      ['rename Bob', 'PUT', (): string => `/api/users/${bob.id}`, { name: 'Mallory' }],
      ['delete Bob', 'DELETE', (): string => `/api/users/${bob.id}`, undefined],
      ['list users', 'GET', (): string => '/api/users', undefined],
      ['create an admin', 'POST', (): string => '/api/users', { email: uniqueEmail('sneaky'), name: 'S', password: PASSWORD, role: 'admin' }],
    ] as const)('Alice may not %s (403)', async (_what, method, path, body) => {
      expect((await api(method, path(), { token: alice.token, body })).status).toBe(403);
    });

    it('sending X-User-Id herself changes nothing: the token decides', async () => {
      const res = await api('GET', `/api/users/${bob.id}`, { token: alice.token, headers: { 'X-User-Id': bob.id, 'X-User-Roles': 'admin' } });
      expect(res.status).toBe(403);
    });

    it('Bob is unchanged after all that', async () => {
      const res = await call(SERVICES.users, 'GET', `/users/${bob.id}`, { headers: { 'x-api-key': API_KEY } });
      expect(res.body).toMatchObject({ id: bob.id, name: 'E2E', role: 'user' });
    });

    it('nobody becomes admin by registering or updating', async () => {
      const reg = await api('POST', '/api/auth/register', { body: { email: uniqueEmail('wannabe'), name: 'W', password: PASSWORD, role: 'admin' } });
      expect(reg.status).toBe(403);
      const upd = await api('PUT', `/api/users/${alice.id}`, { token: alice.token, body: { role: 'admin' } });
      expect(upd.status).toBe(400);
      expect((await api('GET', `/api/users/${alice.id}`, { token: alice.token })).body.role).toBe('user');
    });
  });

  describe('a user sees only their own orders and payments', () => {
    it('Alice cannot place an order for Bob (403), but can for herself', async () => {
      expect((await api('POST', '/api/orders', { token: alice.token, body: { userId: bob.id, items: [ITEM] } })).status).toBe(403);
      expect((await api('POST', '/api/orders', { token: alice.token, body: { userId: alice.id, items: [ITEM] } })).status).toBe(201);
    });

    it('Bob\'s order is a 404 for Alice, and his list a 403', async () => {
      const one = await api('GET', `/api/orders/${bobsOrder}`, { token: alice.token });
      expect(one.status).toBe(404);
      expect(one.body.message).toBe(`order ${bobsOrder} not found`);
      expect((await api('GET', `/api/orders?userId=${bob.id}`, { token: alice.token })).status).toBe(403);
      expect((await api('GET', `/api/payments?orderId=${bobsOrder}`, { token: alice.token })).body).toEqual([]);
    });

    it('Alice\'s list holds only her orders', async () => {
      const res = await api('GET', '/api/orders?limit=100', { token: alice.token });
      expect(res.status).toBe(200);
      expect(res.body.length).toBeGreaterThan(0);
      expect(res.body.every((o: { userId: string }) => o.userId === alice.id)).toBe(true);
    });

    it('Bob reads his own order', async () => {
      expect((await api('GET', `/api/orders/${bobsOrder}`, { token: bob.token })).status).toBe(200);
    });

    it("a user's pages and totals count their own rows only, orders and payments alike (filtered where the data lives)", async () => {
      for (let i = 0; i < 4; i++) {
        expect((await api('POST', '/api/orders', { token: alice.token, body: { userId: alice.id, items: [ITEM] } })).status).toBe(201);
      }
      // The truth, as an admin sees it: Alice's orders (the welcome order arrives through Kafka),
      // each paid or failed once payment-service has made its payment.
      const alicesOrders = async () => (await api('GET', `/api/orders?userId=${alice.id}&limit=100`, { token: admin.token })).body as { id: string; status: string }[];
      let orders = await alicesOrders();
      for (const deadline = Date.now() + 30000; Date.now() < deadline; orders = await alicesOrders()) {
        if (orders.length >= 6 && orders.every((o) => o.status !== 'pending')) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(orders.length).toBe(6);
      expect(orders.every((o) => o.status !== 'pending')).toBe(true);
      const allPayments = await api('GET', '/api/payments?limit=1', { token: admin.token });
      expect(Number(allPayments.headers.get('x-total-count'))).toBeGreaterThan(orders.length); // others' payments exist

      for (const [path, expected] of [['/api/orders', orders.map((o) => o.id)], ['/api/payments', null]] as const) {
        const seen: { id: string; userId: string; orderId?: string }[] = [];
        let total = -1;
        for (let offset = 0; offset < 10; offset += 2) {
          const page = await api('GET', `${path}?limit=2&offset=${offset}`, { token: alice.token });
          expect(page.status).toBe(200);
          total = Number(page.headers.get('x-total-count'));
          seen.push(...page.body);
        }
        expect({ path, total }).toEqual({ path, total: orders.length });
        expect(seen).toHaveLength(orders.length);
        expect(seen.every((row) => row.userId === alice.id)).toBe(true);
        if (expected) expect(seen.map((o) => o.id).sort()).toEqual([...expected].sort());
        else expect(seen.map((p) => p.orderId).sort()).toEqual(orders.map((o) => o.id).sort());
      }
    }, 60000);
  });

  describe('sessions that can end (refresh tokens, logout, revocation on every gateway)', () => {
    /** Polls until the request gets `status`; the time it took, for the bound the README states. */
    const within = async (what: () => Promise<Reply>, status: number, limitMs = (SESSION_CHECK_S + 2) * 1000) => {
      const t0 = Date.now();
      for (;;) {
        const res = await what();
        if (res.status === status) return Date.now() - t0;
        if (Date.now() - t0 > limitMs) throw new Error(`still ${res.status} after ${limitMs} ms (wanted ${status})`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const register = async (tag: string) => {
      const res = await api('POST', '/api/auth/register', { body: { email: uniqueEmail(tag), name: 'E2E', password: PASSWORD } });
      expect(res.status).toBe(201);
      secrets.push(res.body.accessToken, res.body.refreshToken);
      return res.body as { accessToken: string; refreshToken: string; sessionId: string; user: { id: string; email: string } };
    };
    const me = (who: { accessToken: string; user: { id: string } }) => api('GET', `/api/users/${who.user.id}`, { token: who.accessToken });

    it('a refresh token works once; the spent one, presented again, ends the session for both copies', async () => {
      const carol = await register('carol');
      const next = await api('POST', '/api/auth/refresh', { body: { refreshToken: carol.refreshToken } });
      expect(next.status).toBe(200);
      expect(next.body).toMatchObject({ sessionId: carol.sessionId, user: { id: carol.user.id } });
      secrets.push(next.body.accessToken, next.body.refreshToken);
      expect((await me(next.body)).status).toBe(200);

      expect((await api('POST', '/api/auth/refresh', { body: { refreshToken: carol.refreshToken } })).status).toBe(401);
      expect((await api('POST', '/api/auth/refresh', { body: { refreshToken: next.body.refreshToken } })).status).toBe(401);
      const ms = await within(() => me(next.body), 401);
      console.log(`sessions: access token of a revoked session refused ${ms} ms after the reuse (SESSION_CHECK_TTL ${SESSION_CHECK_S} s)`);
    });

    it('logout: the token is refused at once on this gateway and within SESSION_CHECK_TTL on another one', async () => {
      const other = await spawnApp('api-gateway', {
        AUTH_ENABLED: 'true', JWT_SECRET, API_KEY, SESSION_CHECK_TTL: `${SESSION_CHECK_S}s`,
        USER_SERVICE_URL: SERVICES.users, ORDER_SERVICE_URL: SERVICES.orders, PAYMENT_SERVICE_URL: SERVICES.payments,
      }, 30000);
      try {
        const dave = await register('dave');
        expect((await call(other.url, 'GET', `/api/users/${dave.user.id}`, { token: dave.accessToken })).status).toBe(200);
        expect((await api('POST', '/api/auth/logout', { token: dave.accessToken })).status).toBe(204);
        expect((await me(dave)).status).toBe(401);
        const ms = await within(() => call(other.url, 'GET', `/api/users/${dave.user.id}`, { token: dave.accessToken }), 401);
        console.log(`sessions: logout seen by a second gateway after ${ms} ms`);
        expect((await api('POST', '/api/auth/refresh', { body: { refreshToken: dave.refreshToken } })).status).toBe(401);
      } finally {
        await other.stop();
      }
    });

    it('lists your sessions and ends one; a password change ends the others and keeps the current one', async () => {
      const erin = await register('erin');
      const second = await login(erin.user.email, PASSWORD);
      expect(second.status).toBe(200);
      secrets.push(second.body.accessToken, second.body.refreshToken);

      const listed = await api('GET', '/api/auth/sessions', { token: erin.accessToken });
      expect(listed.status).toBe(200);
      expect(listed.body.map((x: { id: string }) => x.id).sort()).toEqual([erin.sessionId, second.body.sessionId].sort());

      const changed = await api('PUT', `/api/users/${erin.user.id}`, { token: erin.accessToken, body: { password: 'NewSecure123!' } });
      expect(changed.status).toBe(200);
      await within(() => me(second.body), 401);
      expect((await me(erin)).status).toBe(200);
      expect((await api('GET', '/api/auth/sessions', { token: erin.accessToken })).body.map((x: { id: string }) => x.id)).toEqual([erin.sessionId]);

      expect((await api('DELETE', `/api/auth/sessions/${erin.sessionId}`, { token: bob.token })).status).toBe(404);
      expect((await api('DELETE', `/api/auth/sessions/${erin.sessionId}`, { token: erin.accessToken })).status).toBe(204);
      await within(() => me(erin), 401);
    });

    it("a deleted user's tokens are refused; a demoted admin gets 403 on admin routes", async () => {
      const frank = await register('frank');
      expect((await api('DELETE', `/api/users/${frank.user.id}`, { token: admin.token })).status).toBe(204);
      await within(() => me(frank), 401);

      const boss = { email: uniqueEmail('boss') };
      const made = await call(SERVICES.users, 'POST', '/users', {
        headers: { 'x-api-key': API_KEY },
        body: { email: boss.email, name: 'E2E boss', password: PASSWORD, role: 'admin' },
      });
      expect(made.status).toBe(201);
      const token = (await login(boss.email, PASSWORD)).body.accessToken as string;
      secrets.push(token);
      expect((await api('GET', '/api/users', { token })).status).toBe(200);
      const db = new Pool({ host: process.env.DB_HOST ?? 'localhost', port: Number(process.env.TEST_DB_PORT_USERS), user: process.env.DB_USERNAME ?? 'postgres', password: process.env.DB_PASSWORD ?? 'postgres', database: process.env.TEST_DB_NAME_USERS });
      try {
        await db.query("UPDATE users SET role = 'user' WHERE id = $1", [made.body.id]);
      } finally {
        await db.end();
      }
      await within(() => api('GET', '/api/users', { token }), 403);
    });
  });

  describe('an admin reads all', () => {
    it('users, one user, orders of anyone, one order', async () => {
      expect((await api('GET', '/api/users', { token: admin.token })).status).toBe(200);
      expect((await api('GET', `/api/users/${bob.id}`, { token: admin.token })).body).toMatchObject({ id: bob.id });
      const bobs = await api('GET', `/api/orders?userId=${bob.id}`, { token: admin.token });
      expect(bobs.body.map((o: { id: string }) => o.id)).toContain(bobsOrder);
      expect((await api('GET', `/api/orders/${bobsOrder}`, { token: admin.token })).status).toBe(200);
      expect((await api('GET', '/api/payments', { token: admin.token })).status).toBe(200);
    });
  });

  describe('login', () => {
    it('one 401, same body, for a wrong password and an unknown email', async () => {
      const wrong = await login(alice.email, 'WrongPass123!');
      const unknown = await login(uniqueEmail('nobody'), 'WrongPass123!');
      const strip = (b: Record<string, unknown>) => ({ ...b, requestId: undefined });
      expect(wrong.status).toBe(401);
      expect(strip(wrong.body)).toEqual(strip(unknown.body));
    });

    it(`429 with Retry-After once the login limit (${LOGIN_LIMIT}/min per client) is used up`, async () => {
      const statuses: number[] = [];
      let limited: Reply | undefined;
      for (let i = loginsUsed; i <= LOGIN_LIMIT && !limited; i++) {
        const res = await login(alice.email, 'WrongPass123!');
        statuses.push(res.status);
        if (res.status === 429) limited = res;
      }
      expect(statuses.slice(0, -1).every((s) => s === 401)).toBe(true);
      expect(limited?.status).toBe(429);
      expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(loginsUsed).toBe(LOGIN_LIMIT + 1);
      // Even the right password waits now.
      expect((await login(alice.email, PASSWORD)).status).toBe(429);
    });
  });

  it('no secret in any log line: this gateway\'s output and the services\' logs', async () => {
    await gw.stop();
    const lines = [...gw.lines];
    for (const app of ['gateway', 'users', 'orders', 'payments']) {
      const file = repoPath('.logs', 'test', `${app}.log`);
      if (existsSync(file)) lines.push(...readFileSync(file, 'utf8').split('\n'));
    }
    expect(gw.lines.some((l) => l.includes('/api/auth/login'))).toBe(true); // the capture worked
    const leaks = lines.filter((line) => secrets.some((s) => line.includes(s)));
    expect(leaks).toEqual([]);
  });
});
