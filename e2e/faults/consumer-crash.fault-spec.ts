// Scenario 2: order-service is killed (SIGKILL: no shutdown, no offset commit, no group leave)
// in the middle of a burst of user.created, inside its batches. Two locks in orderdb (slow
// transactions elsewhere) place the kill: the first holds the consumer back while sign-ups pile
// up, as a consumer that has fallen behind; the second holds uncommitted known_users rows of the
// later half of that backlog, so when the consumer is let go it fetches the backlog in large
// batches, processes their first messages and stops in each partition at a held user. It is
// killed there: what it processed since its last commit must be delivered again after the
// restart, and the eventId ledger (with the one-welcome-order-per-user index) makes that harmless.
// Each step is checked where it is recorded: the ledger and the committed offsets at the kill, the
// messages on the topic, and the duplicates the restarted consumer reported.
import { createUser, inParallel, unexpected } from './support/api';
import { closeDbs, count, holdLock, paymentMismatches, query } from './support/db';
import { appPid, ensureAllRunning, logSince, logSize, startApp, stopApp } from './support/harness';
import { GROUPS, closeKafka, committedOffsets, distinctEvents, endOffsets, messageCount, readTopics } from './support/kafka';
import { record, secs, until } from './support/report';

jest.setTimeout(300000);

const USERS = 150;
/** Sign-ups taken while the consumer is held back (or HOLD_MAX_MS, whichever first): the backlog. */
const BACKLOG = 60;
/** Below the services' 10 s statement timeout: the held handlers wait, they do not fail. */
const HOLD_MAX_MS = 6000;
/** The consumer's partitions processed at once (kafkajs partitionsConsumedConcurrently): one stop each. */
const PARTITIONS = 3;
const CONSUMER = 'order-service.user-created';
const DLQS = ['user.created.dlq', 'order.created.dlq', 'payment.completed.dlq', 'payment.failed.dlq'];
const dlqTotal = async () => (await Promise.all(DLQS.map(messageCount))).reduce((a, b) => a + b, 0);

describe('consumer crash mid-stream', () => {
  beforeAll(ensureAllRunning);
  afterAll(async () => {
    if (!appPid('orders')) await startApp('orders');
    await closeKafka();
    await closeDbs();
  });

  it(`SIGKILL of order-service mid-batch during a burst of ${USERS} user.created: the uncommitted are redelivered and deduplicated, one welcome order per user`, async () => {
    const dlqBefore = await dlqTotal();

    // Held back: the ledger insert of every event waits on the first lock.
    const holdBack = await holdLock('orders', 'LOCK TABLE processed_events IN EXCLUSIVE MODE');
    let holdStops: { release(): Promise<void> } | undefined;
    const signedUp: string[] = [];
    let burst: Promise<Awaited<ReturnType<typeof createUser>>[]> | undefined;
    let heldMs = 0;
    let stops = 0;
    let stoppedMs = 0;
    let killed = { ms: 0, killed: false };
    let endsAtKill = new Map<number, number>();
    let committedAtKill = new Map<number, number>();
    try {
      burst = inParallel(Array.from({ length: USERS }, (_, i) => i), 6, (i) =>
        createUser('s2-burst', i).then((r) => {
          if (r.status === 201) signedUp.push(r.body.id);
          return r;
        }),
      );
      const t0 = Date.now();
      await until('sign-ups while the consumer is held back', async () => signedUp.length, (n) => n >= BACKLOG || Date.now() - t0 >= HOLD_MAX_MS, 60000, 50);
      heldMs = Date.now() - t0;
      // The later half of the backlog: their known_users rows, inserted and not committed, make
      // the handler's insert for them wait; each partition stops at its first one, mid-batch.
      const stopAt = signedUp.slice(Math.floor(signedUp.length / 2));
      holdStops = await holdLock('orders', 'INSERT INTO known_users (user_id) SELECT unnest($1::uuid[])', [stopAt]);
      await holdBack.release();
      const t1 = Date.now();
      const waiting = () =>
        count(
          'orders',
          "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO known_users%'",
        );
      // Every partition stopped (or, rarely, one without a held user finished its backlog): kill.
      stops = (await until('consumer stopped at a held user in each partition', waiting, (n) => n >= PARTITIONS || Date.now() - t1 > 8000, 20000, 20)).value;
      stoppedMs = Date.now() - t1;
      killed = await stopApp('orders', 'SIGKILL');
      // At the kill: where the topic ended and what the group had committed (nothing commits now).
      endsAtKill = await endOffsets('user.created');
      committedAtKill = await committedOffsets(GROUPS.orders, 'user.created');
    } finally {
      await holdBack.release();
      await holdStops?.release();
    }
    const created = await burst!;
    expect(unexpected(created, 201)).toEqual([]);
    const userIds = created.map((r) => r.body.id);
    const burstDone = Date.now();

    // The burst's messages, and which of them the ledger had at the kill (nothing has consumed since).
    const topics = await readTopics(['user.created']);
    const events = distinctEvents(topics, 'user.created', 'userId', new Set(userIds));
    expect(events.size).toBe(USERS);
    const burstMessages = topics.filter((m) => m.topic === 'user.created' && m.event && events.has(m.event.eventId));
    const ledgerAtKill = new Set(
      (await query<{ event_id: string }>('orders', 'SELECT event_id FROM processed_events WHERE consumer = $1 AND event_id = ANY($2::uuid[])', [CONSUMER, [...events.keys()]])).map(
        (r) => r.event_id,
      ),
    );
    const committedBefore = (m: { partition: number; offset: number }) => m.offset < (committedAtKill.get(m.partition) ?? -1);
    const onTopicAtKill = burstMessages.filter((m) => m.offset < (endsAtKill.get(m.partition) ?? 0));
    const unprocessedAtKill = onTopicAtKill.filter((m) => !ledgerAtKill.has(m.event!.eventId));
    const processedNotCommitted = burstMessages.filter((m) => !committedBefore(m) && ledgerAtKill.has(m.event!.eventId));
    const committedNotProcessed = burstMessages.filter((m) => committedBefore(m) && !ledgerAtKill.has(m.event!.eventId));
    const atKill = { processed: ledgerAtKill.size, onTopic: onTopicAtKill.length, unprocessedOnTopic: unprocessedAtKill.length, processedNotCommitted: processedNotCommitted.length };
    // Mid-stream: some processed, some still waiting on the topic; and mid-batch: some processed
    // but not committed, which Kafka must deliver again. Otherwise this run proved nothing.
    expect({ ...atKill, midStream: atKill.processed > 0 && atKill.processed < USERS && atKill.unprocessedOnTopic > 0, midBatch: atKill.processedNotCommitted > 0 }).toEqual({
      ...atKill,
      midStream: true,
      midBatch: true,
    });
    // Never a commit ahead of the effect: that would be a lost event.
    expect(committedNotProcessed.map((m) => `${m.partition}/${m.offset}`)).toEqual([]);

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

    // Redelivered and recognised: exactly the events processed but not committed at the kill came
    // back, each answered "duplicate" by the ledger.
    const duplicates = logSince('orders', logFrom)
      .filter((l) => l.rec?.topic === 'user.created' && l.rec?.outcome === 'duplicate' && events.has(String(l.rec?.eventId)))
      .map((l) => String(l.rec!.eventId));
    expect([...duplicates].sort()).toEqual(processedNotCommitted.map((m) => m.event!.eventId).sort());

    // Exactly one effect each: one welcome order per user, each user.created once in the ledger.
    expect(welcomeIds).toHaveLength(USERS);
    const perUser = await query<{ n: number }>('orders', "SELECT count(*)::int AS n FROM orders WHERE kind = 'welcome' AND user_id = ANY($1::uuid[]) GROUP BY user_id HAVING count(*) > 1", [userIds]);
    expect(perUser).toEqual([]);
    const ledger = await count('orders', 'SELECT count(*) FROM processed_events WHERE consumer = $1 AND event_id = ANY($2::uuid[])', [CONSUMER, [...events.keys()]]);
    expect(ledger).toBe(USERS);
    expect(await paymentMismatches(welcomeIds)).toEqual([]);
    expect(await dlqTotal()).toBe(dlqBefore);

    record(
      'consumer-crash',
      `consumer held back ${secs(heldMs)} while ${BACKLOG} sign-ups piled up; let go, it stopped at a held user in ${stops} of ${PARTITIONS} partitions and was SIGKILLed ${secs(stoppedMs)} after it was let go, ` +
        `with ${atKill.processed}/${USERS} burst events processed, ${atKill.unprocessedOnTopic} more waiting on the topic and ` +
        `${atKill.processedNotCommitted} processed but not committed; restarted and ready (consumer in its group) in ${secs(readyMs)}; ` +
        `those ${duplicates.length} redelivered and answered "duplicate" by the ledger; all ${USERS} welcome orders ${secs(readyMs + all.ms)} ` +
        `after the restart, all paid or failed ${secs(readyMs + all.ms + final.ms)} after it; exactly 1 welcome order per user, 0 dead letters`,
      {
        users: USERS, heldMs, stoppedPartitions: stops, killAfterReleaseMs: stoppedMs, processedAtKill: atKill.processed, onTopicAtKill: atKill.onTopic, unprocessedAtKill: atKill.unprocessedOnTopic,
        processedNotCommittedAtKill: atKill.processedNotCommitted, redeliveredDuplicates: duplicates.length, killMs: killed.ms, readyAfterRestartMs: readyMs,
        allWelcomeAfterRestartMs: all.ms, burstEndedBeforeRestartMs: restartedAt - burstDone,
      },
    );
  });
});
