// Scenario 6: SIGTERM to order-service while it takes orders over HTTP and consumes a burst of
// user.created. A few orders are held in flight at the signal: their inserts wait on a lock this
// test holds in orderdb (a slow transaction elsewhere), so each is provably inside the service,
// sent and unanswered, when the signal goes. The service stops taking connections at once (the
// gateway answers 503), waits for them, and they get their normal 201 with their own order; the
// consumer finishes its message, commits exactly what it processed and leaves its group (no 30 s
// wait for a dead member); after a restart nothing is redone and nothing is missing.
import { Reply, call, createUser, inParallel, placeOrder, unexpected } from './support/api';
import { closeDbs, count, holdInserts, holdLock, query } from './support/db';
import { appPid, appUrl, ensureAllRunning, isAlive, logSince, logSize, probe, sleep, startApp, stopApp } from './support/harness';
import { GROUPS, closeKafka, committedOffsets, describeGroup, messageCount, readTopics } from './support/kafka';
import { record, secs, until } from './support/report';

jest.setTimeout(300000);

const BURST = 120;
const CLIENTS = 8;
/** Orders held in flight at the signal (each holds one of order-service's 10 pooled connections). */
const HELD = 4;
const HELD_PRODUCT = 'product-held-at-shutdown';
const PRICE = 12.34;
/** An advisory-lock key no service uses (the outbox relay's is 74201, the migrations' 7164000001). */
const HOLD_KEY = 7_164_000_606;
const DLQS = ['user.created.dlq', 'order.created.dlq', 'payment.completed.dlq', 'payment.failed.dlq'];
const dlqTotal = async () => (await Promise.all(DLQS.map(messageCount))).reduce((a, b) => a + b, 0);
/** Connections of order-service waiting on the test's lock inside an order's insert. */
const waitingOnHold = () =>
  count(
    'orders',
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory' AND query ILIKE '%order_items%'",
  );

interface Timed extends Reply {
  start: number;
  end: number;
}

describe('graceful shutdown', () => {
  let heldItems: Awaited<ReturnType<typeof holdInserts>> | undefined;
  beforeAll(async () => {
    await ensureAllRunning();
    // Only the held orders' items (their own product) wait on the lock; every other insert passes.
    heldItems = await holdInserts('orders', { name: 'fault_suite_hold', table: 'order_items', when: `NEW.product_id = '${HELD_PRODUCT}'`, lockKey: HOLD_KEY });
  });
  afterAll(async () => {
    if (!appPid('orders')) await startApp('orders');
    await heldItems?.remove();
    await closeKafka();
    await closeDbs();
  });

  it('SIGTERM with requests in flight: each gets its normal 201, new connections refused (503), offsets committed, group left; nothing redone or lost', async () => {
    const buyers = await inParallel(Array.from({ length: CLIENTS + HELD }, (_, i) => i), 4, (i) => createUser('s6-buyer', i));
    expect(unexpected(buyers, 201)).toEqual([]);
    const buyerIds = buyers.slice(0, CLIENTS).map((r) => r.body.id);
    const heldIds = buyers.slice(CLIENTS).map((r) => r.body.id);
    const allBuyers = [...buyerIds, ...heldIds];
    await until('buyers known to order-service', () => count('orders', 'SELECT count(*) FROM known_users WHERE user_id = ANY($1::uuid[])', [allBuyers]), (n) => n === allBuyers.length, 60000);
    const dlqBefore = await dlqTotal();
    const [{ now }] = await query<{ now: Date }>('orders', 'SELECT now()');
    const pid = appPid('orders')!;

    const hold = await holdLock('orders', 'SELECT pg_advisory_xact_lock($1)', [HOLD_KEY]);
    // HTTP load: each client places an order about every 200 ms until told to stop.
    let loading = true;
    const replies: Timed[] = [];
    const load = Promise.all(
      buyerIds.map(async (userId) => {
        while (loading) {
          const start = Date.now();
          const r = await placeOrder(userId);
          replies.push({ ...r, start, end: Date.now() });
          await sleep(Math.max(0, 200 - r.ms));
        }
      }),
    );
    let held: Promise<Timed>[] = [];
    let sigterm = 0;
    let released = 0;
    let stopping: Promise<{ ms: number; killed: boolean }> | undefined;
    let stopped = { ms: 0, killed: true };
    let unansweredAtSignal = -1;
    let unansweredAtRelease = -1;
    let waitingAtSignal = -1;
    let aliveAtRelease = false;
    let refusedAfterMs = -1;
    let late: Reply = { status: -1, body: null, ms: 0, headers: new Headers() };
    let group = { state: '', members: -1 };
    let committed = new Map<number, number>();
    let created: Awaited<ReturnType<typeof createUser>>[] = [];
    try {
      const burst = inParallel(Array.from({ length: BURST }, (_, i) => i), 4, (i) => createUser('s6-burst', i));
      const welcomeSince = () => count('orders', "SELECT count(*) FROM orders WHERE kind = 'welcome' AND created_at >= $1", [now]);
      await until('order-service busy with both', async () => ({ orders: replies.length, welcome: await welcomeSince() }), (v) => v.orders >= 20 && v.welcome >= 15, 60000, 50);

      // The held orders: sent, and waiting inside order-service (in its insert, on the lock).
      let answered = 0;
      held = heldIds.map((userId, i) => {
        const start = Date.now();
        const body = { userId, items: [{ productId: HELD_PRODUCT, quantity: i + 1, price: PRICE }] };
        return call('POST', '/api/orders', body, { timeoutMs: 30000 }).then((r) => {
          answered++;
          return { ...r, start, end: Date.now() };
        });
      });
      await until('held orders waiting on the lock inside order-service', waitingOnHold, (n) => n === HELD, 15000, 50);
      waitingAtSignal = await waitingOnHold();
      unansweredAtSignal = HELD - answered;

      sigterm = Date.now();
      stopping = stopApp('orders', 'SIGTERM', 30000);
      // New connections are refused at once while the held ones are still being served.
      await until('order-service refuses new connections', () => probe(`${appUrl('orders')}/health/live`, 1000), (r) => r.text === 'ECONNREFUSED', 10000, 20);
      refusedAfterMs = Date.now() - sigterm;
      // By now every idle keep-alive connection is closed too (swept every 100 ms): the gateway
      // has to open a new connection for this one, and is refused.
      await sleep(300);
      late = await placeOrder(buyerIds[0]);
      unansweredAtRelease = HELD - answered;
      aliveAtRelease = isAlive(pid);
      released = Date.now();
      await hold.release();
      stopped = await stopping;
      group = await describeGroup(GROUPS.orders);
      committed = await committedOffsets(GROUPS.orders, 'user.created');
      await sleep(1000); // clients keep coming for a moment: the gateway answers 503
      loading = false;
      created = await burst;
    } finally {
      loading = false;
      await hold.release();
      await stopping;
      await load;
    }
    const heldReplies = await Promise.all(held);
    expect(stopped.killed).toBe(false); // exited by itself
    expect(unexpected(created, 201)).toEqual([]);
    const burstIds = created.map((r) => r.body.id);

    // The held orders were in flight at the signal and still when the lock went: sent, unanswered,
    // each waiting inside order-service, and the process was still there, serving them.
    expect({ waitingAtSignal, unansweredAtSignal, unansweredAtRelease, aliveAtRelease }).toEqual({
      waitingAtSignal: HELD,
      unansweredAtSignal: HELD,
      unansweredAtRelease: HELD,
      aliveAtRelease: true,
    });
    // Each got its normal answer: 201 with its own order, as stored.
    expect(unexpected(heldReplies, 201)).toEqual([]);
    for (const [i, r] of heldReplies.entries()) {
      expect(r.start).toBeLessThan(sigterm);
      expect(r.end).toBeGreaterThan(released);
      const quantity = i + 1;
      expect(r.body).toMatchObject({
        userId: heldIds[i],
        kind: 'regular',
        status: 'pending',
        items: [{ productId: HELD_PRODUCT, quantity, price: PRICE }],
        totalAmount: Math.round(quantity * PRICE * 100) / 100,
      });
    }
    const heldStored = await query<{ id: string; user_id: string; total_amount: string }>('orders', "SELECT id, user_id, total_amount FROM orders WHERE kind = 'regular' AND user_id = ANY($1::uuid[]) ORDER BY total_amount", [heldIds]);
    expect(heldStored.map((o) => ({ id: o.id, userId: o.user_id, total: Number(o.total_amount) }))).toEqual(
      heldReplies.map((r) => ({ id: r.body.id, userId: r.body.userId, total: r.body.totalAmount })),
    );
    // A request that came after the listener closed: a clean 503 from the gateway.
    expect({ status: late.status, statusCode: late.body?.statusCode }).toEqual({ status: 503, statusCode: 503 });

    // The consumer left its group at once and committed exactly what it had processed.
    expect(group).toEqual({ state: 'Empty', members: 0 });
    const messages = (await readTopics(['user.created'])).filter((m) => m.event && burstIds.includes(String(m.event.data.userId)));
    const ledger = new Set(
      (
        await query<{ event_id: string }>('orders', "SELECT event_id FROM processed_events WHERE consumer = 'order-service.user-created' AND event_id = ANY($1::uuid[])", [
          messages.map((m) => m.event!.eventId),
        ])
      ).map((r) => r.event_id),
    );
    const processedNotCommitted = messages.filter((m) => m.offset >= (committed.get(m.partition) ?? 0) && ledger.has(m.event!.eventId));
    const committedNotProcessed = messages.filter((m) => m.offset < (committed.get(m.partition) ?? 0) && !ledger.has(m.event!.eventId));
    expect(processedNotCommitted.map((m) => m.offset)).toEqual([]);
    expect(committedNotProcessed.map((m) => m.offset)).toEqual([]);
    const processedAtStop = ledger.size;

    // HTTP load: every request answered (201 while it ran, 503 from the gateway once it was gone),
    // none failed otherwise, none hung; each 201 is an order in the database, and only those.
    const statuses = [...new Set(replies.map((r) => r.status))].sort();
    expect(replies.filter((r) => r.status !== 201 && r.status !== 503).map((r) => `${r.status} ${r.error ?? ''}`)).toEqual([]);
    expect(Math.max(...replies.map((r) => r.ms))).toBeLessThan(10000);
    const accepted = replies.filter((r) => r.status === 201);

    const logFrom = logSize('orders');
    const restart = Date.now();
    await startApp('orders');
    const all = await until(
      'every burst user has a welcome order',
      () => count('orders', "SELECT count(*) FROM orders WHERE kind = 'welcome' AND user_id = ANY($1::uuid[])", [burstIds]),
      (n) => n >= BURST,
      120000,
    );
    expect(await count('orders', "SELECT count(*) FROM orders WHERE kind = 'regular' AND user_id = ANY($1::uuid[])", [buyerIds])).toBe(accepted.length);
    expect(await count('orders', "SELECT count(*) FROM orders WHERE kind = 'welcome' AND user_id = ANY($1::uuid[])", [burstIds])).toBe(BURST);
    // The held orders' events went out too (before the exit or after the restart): each was paid or declined once.
    await until('held orders paid or failed', () => count('orders', "SELECT count(*) FROM orders WHERE user_id = ANY($1::uuid[]) AND kind = 'regular' AND status <> 'pending'", [heldIds]), (n) => n === HELD, 30000);
    expect(await count('payments', 'SELECT count(*) FROM payments WHERE order_id = ANY($1::uuid[])', [heldReplies.map((r) => r.body.id)])).toBe(HELD);
    const redone = logSince('orders', logFrom).filter((l) => l.rec?.topic === 'user.created' && l.rec?.outcome === 'duplicate').length;
    expect(redone).toBe(0);
    expect(await dlqTotal()).toBe(dlqBefore);

    const exitAfterRelease = sigterm + stopped.ms - released;
    record(
      'graceful-shutdown',
      `SIGTERM with ${HELD} orders in flight (sent, unanswered, ${waitingAtSignal} waiting inside order-service on a held lock) and the consumer mid-burst: ` +
        `new connections refused ${secs(refusedAfterMs)} after the signal (a request then: ${late.status} from the gateway); ` +
        `lock released ${secs(released - sigterm)} after the signal with all ${HELD} still unanswered; they got ${heldReplies.filter((r) => r.status === 201).length} x 201 with their own orders; ` +
        `exited by itself ${secs(exitAfterRelease)} after that (${secs(stopped.ms)} after the signal); load: ${accepted.length} orders accepted = ${accepted.length} stored ` +
        `(statuses seen ${statuses.join('/')}); group Empty at once; ${processedAtStop}/${BURST} burst events processed and committed, ` +
        `0 processed-but-uncommitted; after the restart 0 redone, all ${BURST} welcome orders ${secs(Date.now() - restart)} after it`,
      {
        shutdownMs: stopped.ms, held: HELD, waitingAtSignal, unansweredAtSignal, unansweredAtRelease, refusedAfterMs, lateStatus: late.status,
        heldReleasedAfterSignalMs: released - sigterm, exitAfterReleaseMs: exitAfterRelease, held201: heldReplies.filter((r) => r.status === 201).length,
        accepted: accepted.length, processedAtStop, redone, restartToAllWelcomeMs: Date.now() - restart, allWelcomeAfterReadyMs: all.ms,
      },
    );
  });
});
