// Scenario 2: order-service is killed (SIGKILL: no shutdown, no offset commit, no group leave)
// in the middle of a burst of user.created, at the moment that matters for a consumer: effects
// committed in its database, offsets not yet committed to Kafka. A partition's batch is applied in
// transactions of up to 100 events and its offsets are committed once the whole batch is done, so
// the kill is put between two of them: welcome orders are held (a trigger waits on a lock the test
// holds) while a backlog of more than 100 events a partition builds up; then the lock is let go and
// taken again, so that the first 100 of a big batch commit and the next 100 wait; the test checks
// that events are processed and not committed (ledger against the group's committed offsets) and
// kills order-service there. Restarted, it gets those events again; the eventId ledger recognises
// each one as a duplicate, and every user has exactly one welcome order.
import { createUser, inParallel, unexpected } from './support/api';
import { closeDbs, count, holdInserts, holdLock, paymentMismatches, query } from './support/db';
import { appPid, ensureAllRunning, logSince, logSize, startApp, stopApp } from './support/harness';
import { GROUPS, closeKafka, committedOffsets, distinctEvents, messageCount, readTopics, type TopicMessage } from './support/kafka';
import { record, secs, until } from './support/report';

jest.setTimeout(300000);

// 3 partitions: about 150 events each, more than one transaction's 100.
const USERS = 450;
/** An advisory-lock key no service uses (nor the graceful-shutdown test's 7164000606). */
const HOLD_KEY = 7_164_000_607;
const DLQS = ['user.created.dlq', 'order.created.dlq', 'payment.completed.dlq', 'payment.failed.dlq'];
const dlqTotal = async () => (await Promise.all(DLQS.map(messageCount))).reduce((a, b) => a + b, 0);
/** What waits for a lock in order-service's database (the held welcome orders), with the statement that waits. */
const lockWaiters = () =>
  query<{ wait_event: string; query: string }>(
    'orders',
    // The whole statement: a welcome order's insert may come after other CTEs (the known user's).
    "SELECT wait_event, query FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
  );
/** A user.created batch inserting its welcome orders, stopped by the held lock inside its transaction. */
const welcomeBatchWaiting = (waiters: { query: string }[]) => waiters.some((w) => /insert\s+into\s+"?orders"?\s/i.test(w.query));

/** Events of the burst in order-service's ledger whose offset the group has not committed. */
async function processedNotCommitted(events: Map<string, TopicMessage>): Promise<TopicMessage[]> {
  const committed = await committedOffsets(GROUPS.orders, 'user.created');
  const ledger = new Set(
    (
      await query<{ event_id: string }>('orders', "SELECT event_id FROM processed_events WHERE consumer = 'order-service.user-created' AND event_id = ANY($1::uuid[])", [
        [...events.keys()],
      ])
    ).map((r) => r.event_id),
  );
  return [...events.values()].filter((m) => m.offset >= (committed.get(m.partition) ?? 0) && ledger.has(m.event!.eventId));
}

describe('consumer crash mid-stream', () => {
  let welcomeHold: Awaited<ReturnType<typeof holdInserts>> | undefined;
  beforeAll(async () => {
    await ensureAllRunning();
    // Welcome orders wait while the test holds HOLD_KEY; every other insert passes.
    welcomeHold = await holdInserts('orders', { name: 'fault_suite_hold_welcome', table: 'orders', when: "NEW.kind = 'welcome'", lockKey: HOLD_KEY });
  });
  afterAll(async () => {
    if (!appPid('orders')) await startApp('orders');
    await welcomeHold?.remove();
    await closeKafka();
    await closeDbs();
  });

  it(`SIGKILL of order-service between a batch's database commit and its offset commit, mid-burst of ${USERS} user.created: the batch is redelivered and deduplicated, one welcome order per user`, async () => {
    const dlqBefore = await dlqTotal();
    const [{ now }] = await query<{ now: Date }>('orders', 'SELECT now()');
    const welcomeSince = () => count('orders', "SELECT count(*) FROM orders WHERE kind = 'welcome' AND created_at >= $1", [now]);

    // Welcome orders held from the start: the burst's events wait on the topic, more than 100 a partition.
    let hold = await holdLock('orders', 'SELECT pg_advisory_xact_lock($1)', [HOLD_KEY]);
    let killed!: Awaited<ReturnType<typeof stopApp>>;
    let welcomeAtKill = 0;
    let rounds = 0;
    let uncommittedAtKill: TopicMessage[] = [];
    let created: Awaited<ReturnType<typeof createUser>>[] = [];
    let events = new Map<string, TopicMessage>();
    const burstStart = Date.now();
    try {
      created = await inParallel(Array.from({ length: USERS }, (_, i) => i), 6, (i) => createUser('s2-burst', i));
      expect(unexpected(created, 201)).toEqual([]);
      const userIds = new Set(created.map((r) => r.body.id as string));
      const onTopic = await until(
        `all ${USERS} user.created on the topic`,
        async () => distinctEvents(await readTopics(['user.created']), 'user.created', 'userId', userIds),
        (found) => found.size === USERS,
        60000,
        250,
      );
      events = onTopic.value;
      // Let go and take again, until a batch stopped half-way: some of its events applied, its offsets not committed.
      for (rounds = 1; rounds <= 10 && uncommittedAtKill.length === 0; rounds++) {
        await until('a user.created batch waiting for the held lock', lockWaiters, welcomeBatchWaiting, 30000, 20);
        const before = await welcomeSince();
        const releasing = hold.release();
        hold = await holdLock('orders', 'SELECT pg_advisory_xact_lock($1)', [HOLD_KEY]);
        await releasing;
        await until('the let-go transactions committed', welcomeSince, (n) => n > before, 15000, 20);
        await until('a user.created batch waiting for the held lock again', lockWaiters, welcomeBatchWaiting, 30000, 20);
        uncommittedAtKill = await processedNotCommitted(events);
      }
      rounds--;
      expect(uncommittedAtKill.length).toBeGreaterThan(0);
      // Nothing can move now: every welcome insert waits on the lock, and the offsets wait for the batch.
      killed = await stopApp('orders', 'SIGKILL');
      welcomeAtKill = await welcomeSince();
    } finally {
      await hold.release();
    }
    const burstMs = Date.now() - burstStart;
    const userIds = created.map((r) => r.body.id);

    // Still processed and not committed after the kill: the kill came between the two.
    const afterKill = await processedNotCommitted(events);
    expect(afterKill.map((m) => m.event!.eventId).sort()).toEqual(uncommittedAtKill.map((m) => m.event!.eventId).sort());
    expect(welcomeAtKill).toBeLessThan(USERS);

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
    expect(uncommittedAtKill.map((m) => m.event!.eventId).filter((id) => !duplicates.has(id))).toEqual([]);

    // Exactly one welcome order per user; each user.created recorded once in the ledger.
    expect(welcomeIds).toHaveLength(USERS);
    const perUser = await query<{ n: number }>('orders', "SELECT count(*)::int AS n FROM orders WHERE kind = 'welcome' AND user_id = ANY($1::uuid[]) GROUP BY user_id HAVING count(*) > 1", [userIds]);
    expect(perUser).toEqual([]);
    const ledger = await count('orders', "SELECT count(*) FROM processed_events WHERE consumer = 'order-service.user-created' AND event_id = ANY($1::uuid[])", [[...events.keys()]]);
    expect(ledger).toBe(USERS);
    expect(await paymentMismatches(welcomeIds)).toEqual([]);
    expect(await dlqTotal()).toBe(dlqBefore);

    const partitions = [...new Set(uncommittedAtKill.map((m) => m.partition))].sort();
    record(
      'consumer-crash',
      `order-service SIGKILLed mid-burst (${USERS} sign-ups, ${secs(burstMs)}), with ${welcomeAtKill}/${USERS} welcome orders, between ` +
        `a batch's database commit and its offset commit (after ${rounds} let-go round(s)): ${uncommittedAtKill.length} event(s) ` +
        `processed and not committed (partition(s) ${partitions.join(', ')}); restarted and ready in ${secs(readyMs)}, all ${USERS} ` +
        `welcome orders ${secs(readyMs + all.ms)} after the restart, all paid or failed ${secs(readyMs + all.ms + final.ms)} after it; ` +
        `each of the ${uncommittedAtKill.length} redelivered and recognised as a duplicate (${duplicates.size} duplicate(s) in all); ` +
        `exactly 1 welcome order per user, 0 dead letters`,
      {
        users: USERS,
        welcomeAtKill,
        rounds,
        processedNotCommitted: uncommittedAtKill.length,
        partitions,
        duplicatesSeen: duplicates.size,
        killMs: killed.ms,
        readyAfterRestartMs: readyMs,
        allWelcomeAfterRestartMs: all.ms,
      },
    );
  });
});
