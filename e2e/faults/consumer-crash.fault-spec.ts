// Scenario 2: order-service is killed (SIGKILL: no shutdown, no offset commit, no group leave)
// in the middle of a burst of user.created, at the moment that matters for a consumer: a batch's
// effects committed in its database, its offsets not yet committed to Kafka. The kill is put
// exactly there: the orders table is held (the next batch waits inside its transaction), the
// broker stalls (SIGSTOP), the table is let go (the batch commits), and order-service is killed
// while its offset commit cannot reach the broker. Restarted, it gets those events again; the
// eventId ledger recognises each one as a duplicate, and every user has exactly one welcome order.
import { createUser, inParallel, unexpected } from './support/api';
import { closeDbs, count, holdLock, paymentMismatches, query } from './support/db';
import { appPid, ensureAllRunning, logSince, logSize, signalServer, startApp, stopApp } from './support/harness';
import { GROUPS, closeKafka, committedOffsets, distinctEvents, messageCount, readTopics } from './support/kafka';
import { record, secs, until } from './support/report';

jest.setTimeout(300000);

const USERS = 150;
const DLQS = ['user.created.dlq', 'order.created.dlq', 'payment.completed.dlq', 'payment.failed.dlq'];
const dlqTotal = async () => (await Promise.all(DLQS.map(messageCount))).reduce((a, b) => a + b, 0);
/** order-service's user.created batches waiting for the held orders table, inside their transaction. */
const batchesWaiting = () =>
  count(
    'orders',
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%INSERT INTO orders%'",
  );

describe('consumer crash mid-stream', () => {
  let brokerStalled = false;
  beforeAll(ensureAllRunning);
  afterAll(async () => {
    if (brokerStalled) await signalServer('kafka', 'SIGCONT');
    if (!appPid('orders')) await startApp('orders');
    await closeKafka();
    await closeDbs();
  });

  it(`SIGKILL of order-service between a batch's database commit and its offset commit, mid-burst of ${USERS} user.created: the batch is redelivered and deduplicated, one welcome order per user`, async () => {
    const dlqBefore = await dlqTotal();
    const [{ now }] = await query<{ now: Date }>('orders', 'SELECT now()');
    const welcomeSince = () => count('orders', "SELECT count(*) FROM orders WHERE kind = 'welcome' AND created_at >= $1", [now]);

    const burst = inParallel(Array.from({ length: USERS }, (_, i) => i), 6, (i) => createUser('s2-burst', i));
    const midStream = await until('order-service consuming the burst', welcomeSince, (n) => n >= 20, 60000, 50);

    // A batch held inside its transaction, then the broker stalled, then the batch let go: it
    // commits its effects and cannot commit its offsets.
    const hold = await holdLock('orders', 'LOCK TABLE orders IN EXCLUSIVE MODE');
    let killed!: Awaited<ReturnType<typeof stopApp>>;
    let welcomeAtKill = 0;
    let heldBatchWelcomes = 0;
    try {
      await until('a user.created batch waiting for the held table', batchesWaiting, (n) => n >= 1, 30000, 20);
      const welcomeBeforeRelease = await welcomeSince();
      await signalServer('kafka', 'SIGSTOP');
      brokerStalled = true;
      await hold.release();
      const committedBatch = await until('the held batch committed in the database', welcomeSince, (n) => n > welcomeBeforeRelease, 15000, 20);
      heldBatchWelcomes = committedBatch.value - welcomeBeforeRelease;
      killed = await stopApp('orders', 'SIGKILL');
      welcomeAtKill = await welcomeSince();
    } finally {
      await hold.release();
      if (brokerStalled) await signalServer('kafka', 'SIGCONT');
      brokerStalled = false;
    }

    // Processed but not committed at the kill: in the ledger, at or past the group's committed offset.
    const committed = await committedOffsets(GROUPS.orders, 'user.created');
    const created = await burst;
    expect(unexpected(created, 201)).toEqual([]);
    const userIds = created.map((r) => r.body.id);
    const burstDone = Date.now();
    const events = distinctEvents(await readTopics(['user.created']), 'user.created', 'userId', new Set(userIds));
    expect(events.size).toBe(USERS);
    const ledgerAtKill = new Set(
      (
        await query<{ event_id: string }>('orders', "SELECT event_id FROM processed_events WHERE consumer = 'order-service.user-created' AND event_id = ANY($1::uuid[])", [
          [...events.keys()],
        ])
      ).map((r) => r.event_id),
    );
    const processedNotCommitted = [...events.values()].filter((m) => m.offset >= (committed.get(m.partition) ?? 0) && ledgerAtKill.has(m.event!.eventId));
    // The kill came mid-stream, right after a batch committed its effects and not its offsets.
    expect(welcomeAtKill).toBeLessThan(USERS);
    expect(processedNotCommitted.length).toBeGreaterThanOrEqual(heldBatchWelcomes);
    expect(processedNotCommitted.length).toBeGreaterThan(0);

    const logFrom = logSize('orders');
    const restartedAt = Date.now();
    await startApp('orders');
    const readyMs = Date.now() - restartedAt;
    const all = await until(
      `${USERS} welcome orders`,
      () => count('orders', "SELECT count(*) FROM orders WHERE kind = 'welcome' AND user_id = ANY($1::uuid[])", [userIds]),
      (n) => n >= USERS,
      120000,
    );
    const welcomeIds = (await query<{ id: string }>('orders', "SELECT id FROM orders WHERE kind = 'welcome' AND user_id = ANY($1::uuid[])", [userIds])).map((r) => r.id);
    const final = await until(
      'welcome orders paid or failed',
      () => count('orders', "SELECT count(*) FROM orders WHERE id = ANY($1::uuid[]) AND status <> 'pending'", [welcomeIds]),
      (n) => n === USERS,
      60000,
    );

    // Each processed-but-uncommitted event came again and was recognised as a duplicate.
    const duplicates = new Set(
      logSince('orders', logFrom)
        .filter((l) => l.rec?.topic === 'user.created' && l.rec?.outcome === 'duplicate')
        .map((l) => String(l.rec?.eventId)),
    );
    expect(processedNotCommitted.map((m) => m.event!.eventId).filter((id) => !duplicates.has(id))).toEqual([]);

    // Exactly one welcome order per user; each user.created recorded once in the ledger.
    expect(welcomeIds).toHaveLength(USERS);
    const perUser = await query<{ n: number }>('orders', "SELECT count(*)::int AS n FROM orders WHERE kind = 'welcome' AND user_id = ANY($1::uuid[]) GROUP BY user_id HAVING count(*) > 1", [userIds]);
    expect(perUser).toEqual([]);
    const ledger = await count('orders', "SELECT count(*) FROM processed_events WHERE consumer = 'order-service.user-created' AND event_id = ANY($1::uuid[])", [[...events.keys()]]);
    expect(ledger).toBe(USERS);
    expect(await paymentMismatches(welcomeIds)).toEqual([]);
    expect(await dlqTotal()).toBe(dlqBefore);

    record(
      'consumer-crash',
      `order-service SIGKILLed ${secs(midStream.ms)} into the burst, with ${welcomeAtKill}/${USERS} welcome orders, right after a batch ` +
        `(${heldBatchWelcomes} welcome orders) committed in its database while the broker was stalled: ${processedNotCommitted.length} ` +
        `event(s) processed and not committed at the kill; restarted and ready in ${secs(readyMs)}, all ${USERS} welcome orders ` +
        `${secs(readyMs + all.ms)} after the restart, all paid or failed ${secs(readyMs + all.ms + final.ms)} after it; each of the ` +
        `${processedNotCommitted.length} redelivered and recognised as a duplicate (${duplicates.size} duplicate(s) in all); exactly 1 welcome ` +
        `order per user, 0 dead letters`,
      {
        users: USERS,
        welcomeAtKill,
        heldBatchWelcomes,
        processedNotCommitted: processedNotCommitted.length,
        duplicatesSeen: duplicates.size,
        killMs: killed.ms,
        readyAfterRestartMs: readyMs,
        allWelcomeAfterRestartMs: all.ms,
        burstEndedBeforeRestartMs: restartedAt - burstDone,
      },
    );
  });
});
