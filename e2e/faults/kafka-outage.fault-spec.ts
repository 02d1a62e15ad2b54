// Scenario 1: the broker is down while clients write. The API keeps answering 201 (rows and their
// events commit together in the outbox), and when the broker is back every event flows: exactly
// one welcome order per new user, every order paid or failed, nothing lost and nothing doubled.
import { createUser, inParallel, placeOrder, unexpected } from './support/api';
import { closeDbs, count, orderStatusesOf, paymentMismatches, query } from './support/db';
import { ensureAllRunning, startServer, stopServer } from './support/harness';
import { closeKafka, distinctEvents, messageCount, readTopics } from './support/kafka';
import { record, secs, until } from './support/report';

jest.setTimeout(300000);

const DLQS = ['user.created.dlq', 'user.deleted.dlq', 'order.created.dlq', 'payment.completed.dlq', 'payment.failed.dlq'];
const USERS = 50;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const dlqTotal = async () => (await Promise.all(DLQS.map(messageCount))).reduce((a, b) => a + b, 0);

describe('Kafka down during writes', () => {
  let kafkaDown = false;
  beforeAll(ensureAllRunning);
  afterAll(async () => {
    if (kafkaDown) await startServer('kafka');
    await closeKafka();
    await closeDbs();
  });

  it(`takes ${USERS} users and ${2 * USERS} orders while the broker is down, then delivers every event exactly once`, async () => {
    // Users from before the outage: order-service already knows them through user.created.
    const earlier = await inParallel(range(USERS), 8, (i) => createUser('s1-before', i));
    expect(unexpected(earlier, 201)).toEqual([]);
    const earlierIds = earlier.map((r) => r.body.id);
    await until('welcome orders of the earlier users', () => count('orders', "SELECT count(*) FROM orders WHERE kind = 'welcome' AND user_id = ANY($1::uuid[])", [earlierIds]), (n) => n === USERS, 60000);
    const dlqBefore = await dlqTotal();
    await closeKafka();

    const stopMs = await stopServer('kafka');
    kafkaDown = true;
    const outageStart = Date.now();
    const created = await inParallel(range(USERS), 8, (i) => createUser('s1-outage', i));
    expect(unexpected(created, 201)).toEqual([]);
    const newIds = created.map((r) => r.body.id);
    // New users are not known to order-service yet (their user.created waits in user-service's
    // outbox): it asks user-service over HTTP. Earlier users are known locally.
    const orders = await inParallel([...newIds, ...earlierIds], 8, (userId) => placeOrder(userId));
    expect(unexpected(orders, 201)).toEqual([]);
    const regularIds = orders.map((r) => r.body.id);
    const slowestWrite = Math.max(...created.map((r) => r.ms), ...orders.map((r) => r.ms));
    const waitingUsers = await count('users', 'SELECT count(*) FROM outbox_messages');
    const waitingOrders = await count('orders', 'SELECT count(*) FROM outbox_messages');
    expect(waitingUsers).toBeGreaterThanOrEqual(USERS);
    expect(waitingOrders).toBeGreaterThanOrEqual(2 * USERS);
    // Keep the broker away long enough for every client's retries to run out (consumers crash and
    // must rejoin by themselves; producers must reconnect).
    const minOutageMs = 15000;
    if (Date.now() - outageStart < minOutageMs) await new Promise((r) => setTimeout(r, minOutageMs - (Date.now() - outageStart)));

    const startMs = await startServer('kafka');
    kafkaDown = false;
    const outageMs = Date.now() - outageStart;
    const back = Date.now();

    const welcome = await until(
      'one welcome order per user created during the outage',
      () => count('orders', "SELECT count(*) FROM orders WHERE kind = 'welcome' AND user_id = ANY($1::uuid[])", [newIds]),
      (n) => n >= USERS,
      120000,
    );
    const allUserIds = [...newIds, ...earlierIds];
    const welcomeIds = (await query<{ id: string }>('orders', "SELECT id FROM orders WHERE kind = 'welcome' AND user_id = ANY($1::uuid[])", [newIds])).map((r) => r.id);
    // The scenario's orders: the new users' welcome orders and the 100 placed during the outage.
    const scenarioOrders = [...welcomeIds, ...regularIds];
    expect(scenarioOrders).toHaveLength(3 * USERS);
    const final = await until(
      `all ${3 * USERS} orders of the scenario paid or failed`,
      () => count('orders', "SELECT count(*) FROM orders WHERE id = ANY($1::uuid[]) AND status <> 'pending'", [scenarioOrders]),
      (n) => n === 3 * USERS,
      120000,
    );
    const drained = await until(
      'outboxes empty',
      async () => (await Promise.all((['users', 'orders', 'payments'] as const).map((db) => count(db, 'SELECT count(*) FROM outbox_messages')))).reduce((a, b) => a + b, 0),
      (n) => n === 0,
      60000,
    );

    // Databases: exactly one welcome order per user (old and new), the 100 orders placed in the
    // outage, nothing pending, and one payment per order that agrees with the order's status.
    const statuses = await orderStatusesOf(allUserIds);
    const byKind = (kind: string) => statuses.filter((s) => s.kind === kind).reduce((a, s) => a + s.n, 0);
    expect(byKind('welcome')).toBe(2 * USERS);
    expect(byKind('regular')).toBe(2 * USERS);
    expect(statuses.filter((s) => s.status === 'pending')).toEqual([]);
    expect(await paymentMismatches(scenarioOrders)).toEqual([]);

    // Topics: one event per fact (a resent copy, if any, carries the same eventId).
    const topics = await readTopics(['user.created', 'order.created', 'payment.completed', 'payment.failed']);
    const userEvents = distinctEvents(topics, 'user.created', 'userId', new Set(newIds));
    const orderEvents = distinctEvents(topics, 'order.created', 'orderId', new Set(scenarioOrders));
    const outcomes = [
      ...distinctEvents(topics, 'payment.completed', 'orderId', new Set(scenarioOrders)).values(),
      ...distinctEvents(topics, 'payment.failed', 'orderId', new Set(scenarioOrders)).values(),
    ];
    expect(userEvents.size).toBe(USERS);
    expect(orderEvents.size).toBe(3 * USERS);
    expect(outcomes).toHaveLength(3 * USERS);
    expect(new Set(outcomes.map((m) => m.event!.data.orderId)).size).toBe(3 * USERS);
    const copies = topics.filter((m) => m.event && (userEvents.has(m.event.eventId) || orderEvents.has(m.event.eventId))).length;
    expect(await dlqTotal()).toBe(dlqBefore);

    const paid = await count('orders', "SELECT count(*) FROM orders WHERE id = ANY($1::uuid[]) AND status = 'paid'", [scenarioOrders]);
    record(
      'kafka-outage',
      `broker down ${secs(outageMs)} (stop ${secs(stopMs)}, restart ${secs(startMs)}); ${USERS} users + ${2 * USERS} orders all 201 ` +
        `(slowest ${slowestWrite} ms); ${waitingUsers}+${waitingOrders} events waited in outboxes; after the broker answered: ` +
        `${USERS} welcome orders in ${secs(welcome.ms)}, all ${3 * USERS} orders final in ${secs(final.ms)} (${paid} paid), ` +
        `outboxes empty in ${secs(drained.ms)}; 0 lost, 0 doubled, 0 dead letters`,
      {
        outageMs, stopMs, startMs, slowestWriteMs: slowestWrite, waitingUsers, waitingOrders,
        welcomeAfterBrokerMs: welcome.ms, allFinalAfterBrokerMs: final.ms, outboxesEmptyAfterBrokerMs: drained.ms,
        sinceBrokerBackMs: Date.now() - back, paid, failed: 3 * USERS - paid, topicCopiesOfScenarioEvents: copies,
      },
    );
  });
});
