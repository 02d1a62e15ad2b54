// Scenario 5: order-service's PostgreSQL stops. Its readiness turns 503 naming the database, its
// API answers 503 quickly (not 500, not a hang) and the gateway passes that on. Events that arrive
// meanwhile wait (they are not dead-lettered for an outage), and when the database is back the
// same process recovers by itself and applies them.
import { API_KEY, appPid, appUrl, ensureAllRunning, probe, startServer, stopServer } from './support/harness';
import { call, createUser, inParallel, placeOrder, unexpected } from './support/api';
import { closeDbs, count, paymentMismatches, query } from './support/db';
import { closeKafka, messageCount } from './support/kafka';
import { record, secs, until } from './support/report';

jest.setTimeout(240000);

const DLQS = ['user.created.dlq', 'order.created.dlq', 'payment.completed.dlq', 'payment.failed.dlq'];
const dlqTotal = async () => (await Promise.all(DLQS.map(messageCount))).reduce((a, b) => a + b, 0);
const USERS_DURING = 10;

describe('PostgreSQL down', () => {
  let dbDown = false;
  beforeAll(ensureAllRunning);
  afterAll(async () => {
    if (dbDown) await startServer('postgres-orders');
    await closeKafka();
    await closeDbs();
  });

  it("order-service's database stops: 503s naming it, no 500, no hang, events wait; it recovers without a restart", async () => {
    const user = await createUser('s5-known', 0);
    expect(user.status).toBe(201);
    await until('known user settled', () => count('orders', "SELECT count(*) FROM orders WHERE user_id = $1 AND status <> 'pending'", [user.body.id]), (n) => n === 1, 60000);
    const existing = await placeOrder(user.body.id);
    expect(existing.status).toBe(201);
    const pid = appPid('orders');
    const dlqBefore = await dlqTotal();
    await closeDbs();

    const stopMs = await stopServer('postgres-orders');
    dbDown = true;
    const down = Date.now();
    const notReady = await until('order-service not ready', () => probe(`${appUrl('orders')}/health/ready`), (r) => r.status === 503, 30000, 100);
    const readiness = JSON.parse(notReady.value.text);
    expect(readiness.error?.database?.status).toBe('down');

    // Each answer: 503 with the error body, within the gateway's deadline.
    const direct = await call('GET', '/orders?limit=5', undefined, { base: appUrl('orders'), headers: { 'x-api-key': API_KEY } });
    const placed = await placeOrder(user.body.id);
    const read = await call('GET', `/api/orders/${existing.body.id}`);
    const list = await call('GET', `/api/orders?userId=${user.body.id}`);
    for (const r of [direct, placed, read, list]) {
      expect({ status: r.status, error: r.body?.error, fast: r.ms < 5000 }).toEqual({ status: 503, error: 'Service Unavailable', fast: true });
      expect(typeof r.body.requestId).toBe('string');
    }
    const gatewayReady = await until('gateway readiness names order-service', () => probe('http://localhost:4405/health/ready'), (r) => r.status === 503, 30000, 200);
    expect(gatewayReady.value.text).toContain('order-service');

    // Sign-ups still work (user-service is fine); their user.created reach an order-service that
    // cannot write. Hold the outage well past the consumer's retry window (5 attempts, ~6 s).
    const during = await inParallel(Array.from({ length: USERS_DURING }, (_, i) => i), 5, (i) => createUser('s5-during', i));
    expect(unexpected(during, 201)).toEqual([]);
    const minOutageMs = 20000;
    if (Date.now() - down < minOutageMs) await new Promise((r) => setTimeout(r, minOutageMs - (Date.now() - down)));

    const startMs = await startServer('postgres-orders');
    dbDown = false;
    const outageMs = Date.now() - down;
    const ready = await until('order-service ready again', () => probe(`${appUrl('orders')}/health/ready`), (r) => r.status === 200, 60000, 100);
    expect(appPid('orders')).toBe(pid); // recovered by itself, same process
    const after = await placeOrder(user.body.id);
    expect(after.status).toBe(201);

    const ids = during.map((r) => r.body.id);
    const welcome = await until(
      'welcome orders of the users created during the outage',
      () => count('orders', "SELECT count(*) FROM orders WHERE kind = 'welcome' AND user_id = ANY($1::uuid[])", [ids]),
      (n) => n === USERS_DURING,
      90000,
    );
    const welcomeIds = (await query<{ id: string }>('orders', "SELECT id FROM orders WHERE kind = 'welcome' AND user_id = ANY($1::uuid[])", [ids])).map((r) => r.id);
    const settle = [...welcomeIds, after.body.id];
    await until('their payments applied', () => count('orders', "SELECT count(*) FROM orders WHERE id = ANY($1::uuid[]) AND status <> 'pending'", [settle]), (n) => n === settle.length, 60000);
    expect(await paymentMismatches(settle)).toEqual([]);
    expect(await dlqTotal()).toBe(dlqBefore);

    record(
      'postgres-outage',
      `orderdb down ${secs(outageMs)} (stop ${secs(stopMs)}, restart ${secs(startMs)}): readiness 503 naming "database" ` +
        `${secs(notReady.ms)} after the stop; API 503 in ${Math.max(direct.ms, placed.ms, read.ms, list.ms)} ms at most (direct and through the gateway); ` +
        `ready again ${secs(ready.ms)} after the database, same pid; ${USERS_DURING} sign-ups during the outage got their welcome orders ` +
        `${secs(ready.ms + welcome.ms)} after the database was back; 0 dead letters`,
      {
        outageMs, stopMs, startMs, readiness503AfterMs: notReady.ms, slowest503Ms: Math.max(direct.ms, placed.ms, read.ms, list.ms),
        readyAgainAfterDbMs: ready.ms, welcomeAfterReadyMs: welcome.ms, usersDuringOutage: USERS_DURING,
      },
    );
  });
});
