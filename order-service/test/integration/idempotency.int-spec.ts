import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types';
import { IdempotencySweeper } from '../../src/shared/idempotency/idempotency-sweeper';
import { FakeUserService } from './support/fake-user-service';
import { TopicProbe, testKafka } from './support/kafka';
import { RunningOrderService, startOrderService, truncateAll } from './support/order-service-app';

/** POST /orders and POST /orders/:id/cancel with an Idempotency-Key on the real database: one effect per key. */
describe('order-service: idempotency keys (real PostgreSQL and Kafka)', () => {
  const userService = new FakeUserService();
  let sut: RunningOrderService;
  let http: App;
  let probe: TopicProbe;

  beforeAll(async () => {
    await userService.start();
    sut = await startOrderService({ consumerGroup: `order-service-it-idem-${randomUUID()}`, userServiceUrl: userService.url });
    http = sut.app.getHttpServer() as App;
    probe = await new TopicProbe(testKafka()).start(['order.created']);
  });

  afterAll(async () => {
    await probe?.stop();
    await sut?.close();
    await userService.stop();
  });

  beforeEach(async () => {
    userService.reset();
    await truncateAll(sut.dataSource);
    await sut.dataSource.query('TRUNCATE idempotency_keys');
  });

  const aUser = () => {
    const id = randomUUID();
    userService.users.add(id);
    return id;
  };
  const orderOf = (userId: string, quantity = 2) => ({ userId, items: [{ productId: 'product-idem', quantity, price: 1.25 }] });
  const count = async (sql: string, params: unknown[] = []): Promise<number> => (await sut.dataSource.query(sql, params))[0].n as number;
  const ordersOf = (userId: string) => count('SELECT count(*)::int AS n FROM orders WHERE user_id = $1', [userId]);

  it('creates one order per key: the same key and body get the same status and body back, marked as a replay', async () => {
    const userId = aUser();
    const first = await request(http).post('/orders').set('Idempotency-Key', 'order-1').send(orderOf(userId)).expect(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await request(http).post('/orders').set('Idempotency-Key', 'order-1').send(orderOf(userId)).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.text).toBe(first.text);
    expect(await ordersOf(userId)).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM order_items')).toBe(1);
    await probe.waitFor('order.created', first.body.id);
    await new Promise((r) => setTimeout(r, 500));
    expect(probe.of('order.created', first.body.id)).toHaveLength(1);
  });

  it('answers the same key with another body 422 and changes nothing', async () => {
    const userId = aUser();
    const first = await request(http).post('/orders').set('Idempotency-Key', 'order-422').send(orderOf(userId, 2)).expect(201);
    const res = await request(http).post('/orders').set('Idempotency-Key', 'order-422').send(orderOf(userId, 3)).expect(422);
    expect(res.body).toMatchObject({ statusCode: 422, code: 'IDEMPOTENCY.KEY_REUSED', message: expect.stringContaining('Idempotency-Key "order-422"') });
    expect(await sut.dataSource.query('SELECT id FROM orders')).toEqual([{ id: first.body.id }]);
    expect(await count('SELECT sum(quantity)::int AS n FROM order_items')).toBe(2);
  });

  it('answers 409 while the first request with the key is still running, then its replay', async () => {
    const userId = aUser();
    // The user is unknown locally: the first request waits for user-service, holding its key.
    userService.delayMs = 800;
    const firstPending = request(http).post('/orders').set('Idempotency-Key', 'slow').send(orderOf(userId));
    const firstDone = firstPending.then((r) => r);
    await new Promise((r) => setTimeout(r, 300));
    const during = await request(http).post('/orders').set('Idempotency-Key', 'slow').send(orderOf(userId)).expect(409);
    expect(during.body).toMatchObject({ statusCode: 409, error: 'Conflict', code: 'IDEMPOTENCY.IN_FLIGHT' });
    expect(during.body.message).toMatch(/Idempotency-Key "slow" is still being processed/);
    const first = await firstDone;
    expect(first.status).toBe(201);
    const after = await request(http).post('/orders').set('Idempotency-Key', 'slow').send(orderOf(userId)).expect(201);
    expect(after.headers['idempotent-replayed']).toBe('true');
    expect(after.body).toEqual(first.body);
    expect(await ordersOf(userId)).toBe(1);
  });

  it('never creates two orders for concurrent requests with one key', async () => {
    const userId = aUser();
    const answers = await Promise.all(Array.from({ length: 8 }, () => request(http).post('/orders').set('Idempotency-Key', 'race').send(orderOf(userId))));
    expect(answers.every((a) => a.status === 201 || a.status === 409)).toBe(true);
    const fresh = answers.filter((a) => a.status === 201 && a.headers['idempotent-replayed'] === undefined);
    expect(fresh).toHaveLength(1);
    for (const a of answers.filter((x) => x.status === 201)) expect(a.body.id).toBe(fresh[0].body.id);
    expect(await ordersOf(userId)).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM idempotency_keys')).toBe(1);
  });

  it('scopes keys per caller: each user has their own, so the same key places each user\'s order', async () => {
    const ann = aUser();
    const bob = aUser();
    const asUser = (id: string) => ({ 'X-User-Id': id, 'X-User-Roles': 'user' });
    const annsOrder = await request(http).post('/orders').set(asUser(ann)).set('Idempotency-Key', 'mine').send(orderOf(ann)).expect(201);
    const bobsOrder = await request(http).post('/orders').set(asUser(bob)).set('Idempotency-Key', 'mine').send(orderOf(bob)).expect(201);
    expect(bobsOrder.headers['idempotent-replayed']).toBeUndefined();
    expect(bobsOrder.body.id).not.toBe(annsOrder.body.id);
    // Ann's exact request without a user (auth off): the anonymous scope has no such key yet.
    const anonymous = await request(http).post('/orders').set('Idempotency-Key', 'mine').send(orderOf(ann)).expect(201);
    expect(anonymous.headers['idempotent-replayed']).toBeUndefined();
    expect(await ordersOf(ann)).toBe(2);
    expect(await ordersOf(bob)).toBe(1);
  });

  it('keeps no key when the order is refused (unknown user): a retry once the user exists places it', async () => {
    const userId = randomUUID();
    await request(http).post('/orders').set('Idempotency-Key', 'early').send(orderOf(userId)).expect(422);
    expect(await count('SELECT count(*)::int AS n FROM idempotency_keys')).toBe(0);
    userService.users.add(userId);
    const placed = await request(http).post('/orders').set('Idempotency-Key', 'early').send(orderOf(userId)).expect(201);
    expect(placed.headers['idempotent-replayed']).toBeUndefined();
    expect(await ordersOf(userId)).toBe(1);
  });

  const placeOrder = async (userId: string): Promise<string> => ((await request(http).post('/orders').send(orderOf(userId)).expect(201)).body as { id: string }).id;
  const cancel = (orderId: string) => request(http).post(`/orders/${orderId}/cancel`);

  it('cancels once per key: a retry gets the first answer, replayed, where a second cancel without a key is a 409', async () => {
    const orderId = await placeOrder(aUser());
    const first = await cancel(orderId).set('Idempotency-Key', 'cancel-1').expect(200);
    expect(first.body).toMatchObject({ id: orderId, status: 'cancelled' });
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await cancel(orderId).set('Idempotency-Key', 'cancel-1').expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.text).toBe(first.text);
    await cancel(orderId).expect(409);
    expect(await count('SELECT count(*)::int AS n FROM idempotency_keys')).toBe(1);
  });

  it('answers a cancel key used on another order 422 and leaves that order as it was', async () => {
    const userId = aUser();
    const [first, second] = [await placeOrder(userId), await placeOrder(userId)];
    await cancel(first).set('Idempotency-Key', 'cancel-422').expect(200);
    const res = await cancel(second).set('Idempotency-Key', 'cancel-422').expect(422);
    expect(res.body).toMatchObject({ statusCode: 422, code: 'IDEMPOTENCY.KEY_REUSED' });
    expect(await sut.dataSource.query('SELECT status FROM orders WHERE id = $1', [second])).toEqual([{ status: 'pending' }]);
  });

  it('deletes keys past their retention and keeps younger ones', async () => {
    const userId = aUser();
    await request(http).post('/orders').set('Idempotency-Key', 'old').send(orderOf(userId, 1)).expect(201);
    await request(http).post('/orders').set('Idempotency-Key', 'young').send(orderOf(userId, 2)).expect(201);
    await sut.dataSource.query(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE idempotency_key = 'old'`);
    expect(await sut.app.get(IdempotencySweeper).sweep()).toBe(1);
    const reused = await request(http).post('/orders').set('Idempotency-Key', 'old').send(orderOf(userId, 1)).expect(201);
    expect(reused.headers['idempotent-replayed']).toBeUndefined();
    const young = await request(http).post('/orders').set('Idempotency-Key', 'young').send(orderOf(userId, 2)).expect(201);
    expect(young.headers['idempotent-replayed']).toBe('true');
    expect(await ordersOf(userId)).toBe(3);
  });
});
