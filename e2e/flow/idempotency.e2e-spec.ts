import { randomUUID } from 'node:crypto';
import { appsUnderTest } from '../support/apps';
import { SpawnedApp, spawnApp } from '../support/spawned-app';
import { api, uniqueEmail } from './gateway';

// A second user-service and gateway start for the restart case (a few seconds each, more on a busy machine).
jest.setTimeout(180000);

const apps = appsUnderTest();
const urlOf = (name: string) => apps.find((a) => a.name === name)?.url;
const keyed = (key: string) => ({ 'Idempotency-Key': key });
const password = 'SecurePass123!';

describe('Idempotency-Key through the gateway', () => {
  it('POST /api/users: processed once, replayed with the same status and body, another body 422', async () => {
    const key = randomUUID();
    const body = { email: uniqueEmail('idem-user'), name: 'Idem User', password };
    const first = await api('POST', '/api/users', body, keyed(key));
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await api('POST', '/api/users', { password, name: body.name, email: body.email }, keyed(key));
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);

    const other = await api('POST', '/api/users', { ...body, name: 'Someone Else' }, keyed(key));
    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({ statusCode: 422, error: 'Unprocessable Entity', message: expect.stringContaining(`Idempotency-Key "${key}"`) });
    const stored = await api('GET', `/api/users/${first.body.id}`);
    expect(stored.body.name).toBe('Idem User');
  });

  it('refuses a malformed key at the gateway with 400 naming it', async () => {
    const res = await api('POST', '/api/users', { email: uniqueEmail('idem-bad'), name: 'Bad Key', password }, keyed('no spaces please'));
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^Idempotency-Key must be visible ASCII characters only/);
    const long = await api('POST', '/api/orders', { userId: randomUUID(), items: [] }, keyed('k'.repeat(256)));
    expect(long.status).toBe(400);
    expect(long.body.message).toBe('Idempotency-Key must be at most 255 characters (got 256)');
  });

  it('POST /api/orders: a client retry storm with one key places one order', async () => {
    const user = await api('POST', '/api/users', { email: uniqueEmail('idem-orders'), name: 'Orderer', password });
    expect(user.status).toBe(201);
    const key = randomUUID();
    const order = { userId: user.body.id, items: [{ productId: 'product-idem', quantity: 3, price: 0.1 }] };
    const answers = await Promise.all(Array.from({ length: 5 }, () => api('POST', '/api/orders', order, keyed(key))));
    expect(answers.every((a) => a.status === 201 || a.status === 409)).toBe(true);
    const fresh = answers.filter((a) => a.status === 201 && a.headers.get('idempotent-replayed') === null);
    expect(fresh).toHaveLength(1);
    const replay = await api('POST', '/api/orders', order, keyed(key));
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(fresh[0].body);
    const regular = (await api('GET', `/api/orders?userId=${user.body.id}&limit=100`)).body.filter((o: { kind: string }) => o.kind === 'regular');
    expect(regular.map((o: { id: string }) => o.id)).toEqual([fresh[0].body.id]);
  });

  it('POST /api/orders/:id/cancel: a retry storm with one key cancels once, then replays; the key on another order is 422', async () => {
    const user = await api('POST', '/api/users', { email: uniqueEmail('idem-cancel'), name: 'Canceller', password });
    expect(user.status).toBe(201);
    const place = async () => (await api('POST', '/api/orders', { userId: user.body.id, items: [{ productId: 'product-idem', quantity: 1, price: 2.5 }] })).body.id as string;
    const [orderId, otherId] = [await place(), await place()];
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 4 }, () => api('POST', `/api/orders/${orderId}/cancel`, undefined, keyed(key))));
    for (const a of answers) {
      if (a.status === 409) expect(a.body.code).toBe('IDEMPOTENCY.IN_FLIGHT');
      else expect(a.status).toBe(200);
    }
    const fresh = answers.filter((a) => a.status === 200 && a.headers.get('idempotent-replayed') === null);
    expect(fresh).toHaveLength(1);
    expect(['cancelled', 'refund_pending']).toContain(fresh[0].body.status);
    const replay = await api('POST', `/api/orders/${orderId}/cancel`, undefined, keyed(key));
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(fresh[0].body);
    const reused = await api('POST', `/api/orders/${otherId}/cancel`, undefined, keyed(key));
    expect(reused.status).toBe(422);
    expect((await api('GET', `/api/orders/${otherId}`)).body.status).not.toMatch(/cancelled|refund/);
  });

  it('POST /api/auth/register: a retry creates no second user and answers a replay for the same user', async () => {
    const key = randomUUID();
    const body = { email: uniqueEmail('idem-register'), name: 'Signs Up', password };
    const first = await api('POST', '/api/auth/register', body, keyed(key));
    expect(first.status).toBe(201);
    const again = await api('POST', '/api/auth/register', body, keyed(key));
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.user).toEqual(first.body.user);
    // Without the key the same sign-up is a new request: the email is taken.
    expect((await api('POST', '/api/auth/register', body)).status).toBe(409);
  });

  const canRestart = Boolean(urlOf('orders') && urlOf('payments') && process.env.TEST_DB_PORT_USERS && process.env.TEST_DB_NAME_USERS);
  (canRestart ? describe : describe.skip)('after a restart, from another instance', () => {
    let users: SpawnedApp | undefined;
    let gateway: SpawnedApp | undefined;
    afterAll(async () => {
      await gateway?.stop();
      await users?.stop();
    });

    it('replays a key stored before: the answer lives in the database, not in a process', async () => {
      const key = randomUUID();
      const body = { email: uniqueEmail('idem-restart'), name: 'Restarted', password };
      const first = await api('POST', '/api/users', body, keyed(key));
      expect(first.status).toBe(201);

      // A fresh user-service process on the same database, behind a fresh gateway.
      users = await spawnApp('user-service', {
        DB_HOST: process.env.DB_HOST ?? 'localhost',
        DB_PORT: process.env.TEST_DB_PORT_USERS!,
        DB_USERNAME: process.env.DB_USERNAME ?? 'postgres',
        DB_PASSWORD: process.env.DB_PASSWORD ?? 'postgres',
        DB_DATABASE: process.env.TEST_DB_NAME_USERS!,
        KAFKA_BROKER: process.env.KAFKA_BROKER ?? 'localhost:9096',
        KAFKA_CLIENT_ID: 'e2e-idempotency-users',
        // The test database's outbox belongs to the user-service under test.
        OUTBOX_RELAY_ENABLED: 'false',
        LOG_LEVEL: 'warn',
        ...(process.env.API_KEY ? { API_KEY: process.env.API_KEY } : {}),
      });
      gateway = await spawnApp('api-gateway', {
        USER_SERVICE_URL: users.url,
        ORDER_SERVICE_URL: urlOf('orders')!,
        PAYMENT_SERVICE_URL: urlOf('payments')!,
        LOG_LEVEL: 'warn',
        ...(process.env.API_KEY ? { API_KEY: process.env.API_KEY } : {}),
      });
      const res = await fetch(`${gateway.url}/api/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...keyed(key) },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(201);
      expect(res.headers.get('idempotent-replayed')).toBe('true');
      expect(await res.json()).toEqual(first.body);
    });
  });
});
