// Scenario 3: the same order.created (same eventId) delivered again, three more times, one copy on
// each partition so that copies are handled at the same time by different partition workers.
// Exactly one payment and one payment outcome event come out of it.
import { createUser, placeOrder } from './support/api';
import { closeDbs, count, paymentMismatches, query } from './support/db';
import { appPid, ensureAllRunning, logSince, logSize, startApp, stopApp } from './support/harness';
import { GROUPS, closeKafka, committedOffsets, endOffsets, publish, readTopics } from './support/kafka';
import { record, secs, until } from './support/report';

jest.setTimeout(180000);

describe('duplicate delivery', () => {
  beforeAll(ensureAllRunning);
  afterAll(async () => {
    if (!appPid('payments')) await startApp('payments');
    await closeKafka();
    await closeDbs();
  });

  it('the same order.created four times (3 republished, across partitions): one payment, one outcome event', async () => {
    const user = await createUser('s3-dup', 0);
    expect(user.status).toBe(201);
    await until('welcome order settled', () => count('orders', "SELECT count(*) FROM orders WHERE user_id = $1 AND status <> 'pending'", [user.body.id]), (n) => n === 1, 60000);

    // Payments paused, so the original and its copies all wait on the topic.
    await stopApp('payments');
    const order = await placeOrder(user.body.id, 2);
    expect(order.status).toBe(201);
    const orderId = order.body.id;
    const original = await until(
      'the order.created on the topic',
      async () => (await readTopics(['order.created'])).find((m) => m.event?.data.orderId === orderId),
      (m) => m !== undefined,
      30000,
    );
    const msg = original.value!;
    const partitions = [...(await endOffsets('order.created')).keys()];
    const copies = [msg.partition, ...partitions.filter((p) => p !== msg.partition)];
    for (const partition of copies) {
      await publish('order.created', [{ key: msg.key, value: msg.value, headers: msg.headers, partition }]);
    }

    const logFrom = logSize('payments');
    const t0 = Date.now();
    await startApp('payments');
    const settled = await until('order paid or failed', () => query<{ status: string }>('orders', 'SELECT status FROM orders WHERE id = $1', [orderId]), (r) => r[0]?.status !== 'pending', 60000);
    // Every copy consumed: the group's committed offsets reach the ends of the topic.
    const ends = await endOffsets('order.created');
    const consumed = await until(
      'payment-service past every copy',
      () => committedOffsets(GROUPS.payments, 'order.created'),
      (c) => [...ends.entries()].every(([p, end]) => (c.get(p) ?? -1) >= end),
      60000,
    );

    expect(await count('payments', 'SELECT count(*) FROM payments WHERE order_id = $1', [orderId])).toBe(1);
    expect(await count('payments', "SELECT count(*) FROM processed_events WHERE consumer = 'payment-service.order-created' AND event_id = $1", [msg.event!.eventId])).toBe(1);
    expect(await paymentMismatches([orderId])).toEqual([]);
    const outcomes = (await readTopics(['payment.completed', 'payment.failed'])).filter((m) => m.event?.data.orderId === orderId);
    expect(outcomes).toHaveLength(1); // one message in all: not even a resent copy
    const copiesSeen = (await readTopics(['order.created'])).filter((m) => m.event?.eventId === msg.event!.eventId).length;
    expect(copiesSeen).toBe(4);
    const handled = logSince('payments', logFrom).filter((l) => l.rec?.eventId === msg.event!.eventId && typeof l.rec?.outcome === 'string');
    const outcomesLogged = handled.map((l) => String(l.rec!.outcome)).sort();
    expect(outcomesLogged).toEqual(['duplicate', 'duplicate', 'duplicate', 'processed']);

    record(
      'duplicate-delivery',
      `one order.created delivered 4 times (partitions ${copies.join(', ')}): 1 payment (${outcomes[0].topic}), ` +
        `1 outcome event, 1 ledger row, 3 copies answered "duplicate"; settled ${secs(settled.ms)} after payment-service restarted, ` +
        `every copy consumed in ${secs(Date.now() - t0)}`,
      { deliveries: copiesSeen, payments: 1, outcomeEvents: outcomes.length, settledMs: settled.ms, allCopiesConsumedMs: consumed.ms },
    );
  });
});
