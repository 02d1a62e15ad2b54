// Scenario 4: poison on every consumed topic. Five bad messages (not JSON, wrong schema, wrong
// version, a prototype-pollution key, 10,000 nested arrays) then one valid message, all on one
// partition: each bad one is parked on <topic>.dlq with the reason and where it came from, and the
// valid one behind them is processed: the partition never stalls.
import { randomUUID } from 'node:crypto';
import { createUser } from './support/api';
import { closeDbs, count, query } from './support/db';
import { ensureAllRunning } from './support/harness';
import { GROUPS, TopicMessage, closeKafka, committedOffsets, publish, readTopics } from './support/kafka';
import { record, secs, until } from './support/report';

jest.setTimeout(180000);

type Consumer = { group: string; db: 'orders' | 'payments'; ledger: string };
const CONSUMERS: Record<string, Consumer> = {
  'user.created': { group: GROUPS.orders, db: 'orders', ledger: 'order-service.user-created' },
  'user.deleted': { group: GROUPS.orders, db: 'orders', ledger: 'order-service.user-deleted' },
  'order.created': { group: GROUPS.payments, db: 'payments', ledger: 'payment-service.order-created' },
  'payment.completed': { group: GROUPS.orders, db: 'orders', ledger: 'order-service.payment-completed' },
  'payment.failed': { group: GROUPS.orders, db: 'orders', ledger: 'order-service.payment-failed' },
};
const TYPES: Record<string, string> = {
  'user.created': 'UserCreated',
  'user.deleted': 'UserDeleted',
  'order.created': 'OrderCreated',
  'payment.completed': 'PaymentCompleted',
  'payment.failed': 'PaymentFailed',
};

const envelope = (topic: string, data: object, over: object = {}) => ({
  eventId: randomUUID(),
  type: TYPES[topic],
  version: 1,
  occurredAt: new Date().toISOString(),
  requestId: `fault-poison-${topic}`,
  data,
  ...over,
});

describe('poison messages', () => {
  beforeAll(ensureAllRunning);
  afterAll(async () => {
    await closeKafka();
    await closeDbs();
  });

  it('each poison message goes to its dead-letter topic with the reason; the valid message after it is processed', async () => {
    // Real entities for the valid messages to act on.
    const known = await createUser('s4-known', 0);
    expect(known.status).toBe(201);
    const knownId = known.body.id;
    const [settled] = (
      await until('the known user\'s welcome order settled', () => query<{ id: string }>('orders', "SELECT id FROM orders WHERE user_id = $1 AND status <> 'pending'", [knownId]), (r) => r.length === 1, 60000)
    ).value;
    const freshUser = randomUUID();
    const freshOrder = randomUUID();
    const valid: Record<string, object> = {
      'user.created': { userId: freshUser, email: `s4-fresh-${freshUser.slice(0, 8)}@example.com`, name: 'Fresh', role: 'user' },
      'user.deleted': { userId: knownId },
      // A new order id: payment-service pays it; order-service then parks the outcome (unknown order).
      'order.created': { orderId: freshOrder, userId: knownId, kind: 'regular', items: [{ productId: 'product-poison', quantity: 1, price: '5.00' }], totalAmount: '5.00' },
      'payment.completed': { paymentId: randomUUID(), orderId: settled.id, amount: '0.01' },
      'payment.failed': { paymentId: randomUUID(), orderId: settled.id, amount: '0.01', reason: 'late and conflicting', code: 'TEST' },
    };
    const wrongSchema: Record<string, object> = {
      'user.created': { userId: 'not-a-uuid', email: 'nope', name: 42, role: 'root' },
      'user.deleted': { userId: 12345 },
      'order.created': { orderId: freshOrder, userId: knownId, kind: 'regular', items: [], totalAmount: '-1' },
      'payment.completed': { paymentId: 'x', orderId: settled.id, amount: 1e21 },
      'payment.failed': { paymentId: randomUUID(), orderId: settled.id, amount: '0.01', reason: 'r'.repeat(501) },
    };

    const t0 = Date.now();
    const sent: { topic: string; kind: string; partition: number; offset: number; expect: RegExp }[] = [];
    const followers: { topic: string; eventId: string; partition: number; offset: number }[] = [];
    for (const topic of Object.keys(CONSUMERS)) {
      const partition = Math.floor(Math.random() * 3);
      const key = (valid[topic] as { orderId?: string; userId: string }).orderId ?? (valid[topic] as { userId: string }).userId;
      const poison = [
        { kind: 'not JSON', value: '{"eventId": "oops", this is not json', expect: /^value is not JSON$/ },
        { kind: 'wrong schema', value: JSON.stringify(envelope(topic, wrongSchema[topic])), expect: /^invalid data: / },
        { kind: 'wrong version', value: JSON.stringify(envelope(topic, valid[topic], { version: 99 })), expect: /^unsupported version 99 of / },
        {
          kind: 'prototype key',
          value: JSON.stringify(envelope(topic, valid[topic])).replace('"data":{', '"data":{"__proto__":{"isAdmin":true},'),
          expect: /^forbidden key __proto__$/,
        },
        {
          // 20 KB that once overflowed the parser's stack: the consumer retried it forever.
          kind: 'nested 10,000 deep',
          value: JSON.stringify(envelope(topic, valid[topic])).replace('"data":{', `"data":{"deep":${'['.repeat(10000)}${']'.repeat(10000)},`),
          expect: /^value nested deeper than 32 levels$/,
        },
      ];
      for (const p of poison) {
        const [meta] = await publish(topic, [{ key, value: p.value, partition }]);
        sent.push({ topic, kind: p.kind, ...meta, expect: p.expect });
      }
      const good = envelope(topic, valid[topic]);
      const [meta] = await publish(topic, [{ key, value: JSON.stringify(good), partition }]);
      followers.push({ topic, eventId: good.eventId, ...meta });
    }

    // The valid messages behind the poison are processed: in the consumer's ledger, and committed past.
    const processed = await until(
      'the valid messages processed',
      async () => {
        let n = 0;
        for (const f of followers) {
          const c = CONSUMERS[f.topic];
          n += await count(c.db, 'SELECT count(*) FROM processed_events WHERE consumer = $1 AND event_id = $2', [c.ledger, f.eventId]);
        }
        return n;
      },
      (n) => n === followers.length,
      60000,
    );
    for (const f of followers) {
      await until(`${f.topic} committed past the valid message`, () => committedOffsets(CONSUMERS[f.topic].group, f.topic), (c) => (c.get(f.partition) ?? -1) > f.offset, 30000);
    }
    const processedMs = Date.now() - t0;

    // Their effects.
    expect(await count('orders', "SELECT count(*) FROM orders WHERE user_id = $1 AND kind = 'welcome'", [freshUser])).toBe(1);
    expect(await count('orders', 'SELECT count(*) FROM known_users WHERE user_id = $1 AND deleted_at IS NOT NULL', [knownId])).toBe(1);
    expect(await count('payments', 'SELECT count(*) FROM payments WHERE order_id = $1', [freshOrder])).toBe(1);

    // Every poison message parked exactly once, with its reason and origin.
    const dlqTopics = Object.keys(CONSUMERS).map((t) => `${t}.dlq`);
    const parked = await until(
      'every poison message on its dead-letter topic',
      async () => (await readTopics(dlqTopics)).filter((m) => sent.some((s) => matches(m, s))),
      (m) => m.length >= sent.length,
      30000,
    );
    for (const s of sent) {
      const found = parked.value.filter((m) => matches(m, s));
      expect({ topic: s.topic, kind: s.kind, copies: found.length }).toEqual({ topic: s.topic, kind: s.kind, copies: 1 });
      expect({ topic: s.topic, kind: s.kind, reason: found[0].headers['x-dead-letter-reason'] }).toEqual({
        topic: s.topic,
        kind: s.kind,
        reason: expect.stringMatching(s.expect),
      });
    }
    // The outcome of the made-up order reaches order-service, which knows no such order: parked too.
    const unknownOrder = await until(
      "the made-up order's payment outcome parked by order-service",
      async () => (await readTopics(['payment.completed.dlq', 'payment.failed.dlq'])).filter((m) => m.event?.data.orderId === freshOrder),
      (m) => m.length === 1,
      30000,
    );
    expect(unknownOrder.value[0].headers['x-dead-letter-reason']).toBe(`ORDER.NOT_FOUND: order ${freshOrder} not found`);
    // Nothing valid was parked.
    const parkedValid = (await readTopics(dlqTopics)).filter((m) => followers.some((f) => m.event?.eventId === f.eventId));
    expect(parkedValid).toEqual([]);

    record(
      'poison',
      `${sent.length} poison messages on 5 topics (not JSON, wrong schema, wrong version, __proto__ key, 10,000 levels deep) each parked once ` +
        `with its reason and origin; the 5 valid messages behind them processed ${secs(processedMs)} after the first send ` +
        `(ledger ${secs(processed.ms)}); an order.created for an unknown order was paid and its outcome parked by order-service`,
      { poison: sent.length, parked: parked.value.length, validProcessedMs: processedMs },
    );
  });
});

function matches(m: TopicMessage, s: { topic: string; partition: number; offset: number }): boolean {
  return m.headers['x-original-topic'] === s.topic && m.headers['x-original-partition'] === String(s.partition) && m.headers['x-original-offset'] === String(s.offset);
}
