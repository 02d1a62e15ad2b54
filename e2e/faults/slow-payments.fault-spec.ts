// Scenario 7: every payment takes longer than the consumer's session timeout (30 s). The handler
// heartbeats while it waits, so the member is never evicted: no rebalance, no second delivery, one
// payment per order.
import { createUser, inParallel, placeOrder, unexpected } from './support/api';
import { closeDbs, count, paymentMismatches, query } from './support/db';
import { ensureAllRunning, logSince, logSize, startApp, stopApp } from './support/harness';
import { GROUPS, closeKafka, describeGroup, readTopics } from './support/kafka';
import { record, secs, until } from './support/report';

jest.setTimeout(300000);

const DELAY_MS = 35000; // > sessionTimeout 30000
// Orders on one partition are paid one after another: two orders can take 2 x 35 s. One keeps the
// scenario within its time budget and still holds a handler past the session timeout.
const ORDERS = 1;

describe('slow payments', () => {
  beforeAll(ensureAllRunning);
  afterAll(async () => {
    await ensureAllRunning(); // payment-service back on its normal settings
    await closeKafka();
    await closeDbs();
  });

  it(`payments taking ${DELAY_MS / 1000} s (session timeout 30 s): no rebalance, no double payment`, async () => {
    const user = await createUser('s7-slow', 0);
    expect(user.status).toBe(201);
    await until('welcome order settled', () => count('orders', "SELECT count(*) FROM orders WHERE user_id = $1 AND status <> 'pending'", [user.body.id]), (n) => n === 1, 60000);

    await stopApp('payments');
    const logFrom = logSize('payments');
    await startApp('payments', { PAYMENT_DELAY_MS: String(DELAY_MS) });
    const groupBefore = await describeGroup(GROUPS.payments);

    const t0 = Date.now();
    const placed = await inParallel(Array.from({ length: ORDERS }, (_, i) => i + 1), ORDERS, (n) => placeOrder(user.body.id, n));
    expect(unexpected(placed, 201)).toEqual([]);
    const ids = placed.map((r) => r.body.id);
    const settled = await until(
      'slow payments settled',
      () => count('orders', "SELECT count(*) FROM orders WHERE id = ANY($1::uuid[]) AND status <> 'pending'", [ids]),
      (n) => n === ORDERS,
      4 * DELAY_MS,
      500,
    );

    expect(await paymentMismatches(ids)).toEqual([]);
    const outcomes = (await readTopics(['payment.completed', 'payment.failed'])).filter((m) => ids.includes(String(m.event?.data.orderId)));
    expect(outcomes).toHaveLength(ORDERS); // one message each, not even a resent copy
    // Each payment took the provider's time (measured from its order).
    const took = await query<{ order_id: string; created_at: Date }>('payments', 'SELECT order_id, created_at FROM payments WHERE order_id = ANY($1::uuid[])', [ids]);
    const orderTimes = await query<{ id: string; created_at: Date }>('orders', 'SELECT id, created_at FROM orders WHERE id = ANY($1::uuid[])', [ids]);
    const durations = took.map((p) => p.created_at.getTime() - orderTimes.find((o) => o.id === p.order_id)!.created_at.getTime());
    expect(Math.min(...durations)).toBeGreaterThanOrEqual(DELAY_MS - 1000);

    // One member all along, no rejoin, no redelivery.
    const groupAfter = await describeGroup(GROUPS.payments);
    expect(groupBefore).toEqual({ state: 'Stable', members: 1 });
    expect(groupAfter).toEqual({ state: 'Stable', members: 1 });
    const lines = logSince('payments', logFrom);
    const rebalances = lines.filter((l) => /rebalanc|not a member|UNKNOWN_MEMBER_ID|ILLEGAL_GENERATION|session.*timed? ?out/i.test(l.raw));
    expect(rebalances.map((l) => l.raw.slice(0, 200))).toEqual([]);
    const handled = lines.filter((l) => l.rec?.topic === 'order.created' && typeof l.rec?.outcome === 'string');
    expect(handled.map((l) => l.rec!.outcome)).toEqual(Array(ORDERS).fill('processed'));

    record(
      'slow-payments',
      `${ORDERS} payment(s) of ${DELAY_MS / 1000} s (session timeout 30 s): settled ${secs(settled.ms)} after the order, ` +
        `took ${secs(Math.max(...durations))}; group Stable with 1 member throughout, 0 rebalances, ` +
        `${ORDERS} delivery, ${ORDERS} payment, ${ORDERS} outcome event per order`,
      { delayMs: DELAY_MS, orders: ORDERS, settledMs: settled.ms, paymentDurationsMs: durations, rebalances: rebalances.length, sinceFirstOrderMs: Date.now() - t0 },
    );
  });
});
