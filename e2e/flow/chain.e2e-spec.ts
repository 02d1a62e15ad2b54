import { api, uniqueEmail } from './gateway';
import { eventually, SeenEvent, watchTopics } from './kafka-watch';

jest.setTimeout(120000);

interface Order {
  id: string;
  userId: string;
  kind: string;
  status: string;
  totalAmount: number;
  items: { productId: string; quantity: number; price: number }[];
}

const TOPICS = ['user.created', 'order.created', 'payment.completed', 'payment.failed'];

async function ordersOf(userId: string): Promise<Order[]> {
  const res = await api<Order[]>('GET', `/api/orders?userId=${userId}&limit=100`);
  expect(res.status).toBe(200);
  return res.body;
}

describe('the seed demo flow through the gateway, on real Kafka and PostgreSQL', () => {
  let watch: Awaited<ReturnType<typeof watchTopics>>;
  beforeAll(async () => {
    watch = await watchTopics(TOPICS);
  });
  afterAll(async () => watch?.stop());

  // In the order they happened (each envelope's occurredAt): two topics arrive at the watcher in no
  // guaranteed order (one fetch answer can hold both, topic by topic), only one partition does.
  const eventsFor = (key: string): SeenEvent[] =>
    watch.events.filter((e) => e.key === key).sort((a, b) => Date.parse(a.value.occurredAt) - Date.parse(b.value.occurredAt));

  it('user -> welcome order paid; manual order paid; every event on its topic with key, envelope and request id', async () => {
    const requestId = `e2e-demo-${Date.now()}`;
    const created = await api('POST', '/api/users', { email: uniqueEmail('demo'), name: 'Demo', password: 'SecurePass123!' }, { 'X-Request-Id': requestId });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-request-id')).toBe(requestId);
    const userId: string = created.body.id;

    const welcome = await eventually(async () => (await ordersOf(userId)).find((o) => o.kind === 'welcome'), (o) => o?.status === 'paid');
    expect(welcome).toMatchObject({ userId, kind: 'welcome', status: 'paid' });

    const orderRequestId = `${requestId}-order`;
    const placed = await api<Order>(
      'POST',
      '/api/orders',
      { userId, items: [{ productId: 'product-123', quantity: 3, price: 0.1 }, { productId: 'product-456', quantity: 1, price: 19.99 }] },
      { 'X-Request-Id': orderRequestId },
    );
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ userId, status: 'pending', totalAmount: 20.29 });
    const paid = await eventually(() => api<Order>('GET', `/api/orders/${placed.body.id}`), (r) => r.body.status === 'paid');
    expect(paid.body.status).toBe('paid');

    // What Kafka saw, read back with a plain Kafka client.
    const userEvents = await eventually(() => eventsFor(userId), (e) => e.length >= 1);
    expect(userEvents.map((e) => [e.topic, e.value.type])).toEqual([['user.created', 'UserCreated']]);
    expect(userEvents[0]).toMatchObject({ headers: { 'x-request-id': requestId }, value: { version: 1, requestId, data: { userId } } });

    const welcomeEvents = await eventually(() => eventsFor(welcome!.id), (e) => e.length >= 2);
    expect(welcomeEvents.map((e) => e.topic)).toEqual(['order.created', 'payment.completed']);
    // The request id of the POST /api/users travels through every event it caused.
    expect(welcomeEvents.map((e) => e.value.requestId)).toEqual([requestId, requestId]);
    expect(welcomeEvents.every((e) => e.headers['traceparent'] !== undefined || e.headers['x-request-id'] === requestId)).toBe(true);

    const orderEvents = await eventually(() => eventsFor(placed.body.id), (e) => e.length >= 2);
    expect(orderEvents.map((e) => e.topic)).toEqual(['order.created', 'payment.completed']);
    expect(orderEvents[0].value.data).toMatchObject({ orderId: placed.body.id, userId, kind: 'regular', totalAmount: '20.29' });
    expect(orderEvents[1].value.data).toMatchObject({ orderId: placed.body.id, amount: '20.29' });
    expect(orderEvents.map((e) => e.headers['x-request-id'])).toEqual([orderRequestId, orderRequestId]);
  });

  it('a burst of 200 concurrent sign-ups yields exactly 200 welcome orders, all paid', async () => {
    const tag = `burst-${Date.now()}`;
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        api('POST', '/api/users', { email: `${tag}-${i}@example.com`, name: `Burst ${i}`, password: 'SecurePass123!' }),
      ),
    );
    expect(responses.map((r) => r.status).filter((s) => s !== 201)).toEqual([]);
    const userIds = new Set(responses.map((r) => r.body.id as string));
    expect(userIds.size).toBe(200);

    const welcomeOrders = async () => {
      const all: Order[] = [];
      for (const userId of userIds) all.push(...(await ordersOf(userId)).filter((o) => o.kind === 'welcome'));
      return all;
    };
    const final = await eventually(welcomeOrders, (orders) => orders.length === 200 && orders.every((o) => o.status === 'paid'), 90000);
    expect(final).toHaveLength(200);
    expect(new Set(final.map((o) => o.userId))).toEqual(userIds);
    expect(final.filter((o) => o.status !== 'paid')).toEqual([]);
  });
});

describe('bad input through the gateway', () => {
  it('refuses invalid orders with 400 naming the fields, and changes nothing', async () => {
    const user = await api('POST', '/api/users', { email: uniqueEmail('bad'), name: 'Bad', password: 'SecurePass123!' });
    const userId = user.body.id;
    // The welcome order arrives through Kafka; count once it is there, so only a refused order could change the count.
    const before = (await eventually(() => ordersOf(userId), (orders) => orders.some((o) => o.kind === 'welcome'))).length;
    const cases: unknown[] = [
      { userId, items: [] },
      { userId, items: [{ productId: 'product-1', quantity: 1, price: '12' }] },
      { userId, items: [{ productId: 'product-1', quantity: 1, price: 1.234 }] },
      { userId, items: [{ productId: 'product-1', quantity: 0, price: 1 }] },
      { userId, items: [{ productId: 'product-1', quantity: 10000, price: 1 }] },
      { userId, items: [{ productId: 'product-1', quantity: 1.5, price: 1 }] },
      { userId, items: [{ productId: 'bad id', quantity: 1, price: 1 }] },
      { userId, items: [{ productId: 'product-1', quantity: 1, price: 1 }], discount: 5 },
      { userId: 'not-a-uuid', items: [{ productId: 'product-1', quantity: 1, price: 1 }] },
    ];
    for (const body of cases) {
      const res = await api('POST', '/api/orders', body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', requestId: expect.any(String) });
    }
    const malformed = await api('POST', '/api/orders', '{"userId": ');
    expect(malformed.status).toBe(400);
    expect((await ordersOf(userId)).length).toBe(before);
  });

  it('answers 422 for an order of a user that does not exist, 404 for unknown ids, 409 for a taken email', async () => {
    const ghost = await api('POST', '/api/orders', {
      userId: '3f1e2d4c-5b6a-4789-8abc-def012345678',
      items: [{ productId: 'product-1', quantity: 1, price: 1 }],
    });
    expect(ghost.status).toBe(422);
    expect(ghost.body.message).toContain('3f1e2d4c-5b6a-4789-8abc-def012345678');
    expect((await api('GET', '/api/orders/3f1e2d4c-5b6a-4789-8abc-def012345678')).status).toBe(404);
    expect((await api('GET', '/api/users/3f1e2d4c-5b6a-4789-8abc-def012345678')).status).toBe(404);
    expect((await api('GET', '/api/users/not-a-uuid')).status).toBe(400);
    const email = uniqueEmail('dup');
    expect((await api('POST', '/api/users', { email, name: 'A', password: 'SecurePass123!' })).status).toBe(201);
    const dup = await api('POST', '/api/users', { email, name: 'B', password: 'SecurePass123!' });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
  });

  it('keeps money exact: 3 x 0.10 = 0.3 and 9999 x 999999.99 = 9998999900.01', async () => {
    const user = await api('POST', '/api/users', { email: uniqueEmail('money'), name: 'Money', password: 'SecurePass123!' });
    const small = await api<Order>('POST', '/api/orders', { userId: user.body.id, items: [{ productId: 'product-a', quantity: 3, price: 0.1 }] });
    expect(small.body.totalAmount).toBe(0.3);
    const big = await api<Order>('POST', '/api/orders', { userId: user.body.id, items: [{ productId: 'product-b', quantity: 9999, price: 999999.99 }] });
    expect(big.body.totalAmount).toBe(9998999900.01);
  });
});
