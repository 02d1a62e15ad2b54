// Scenario 2: order-service is killed (SIGKILL: no shutdown, no offset commit, no group leave)
// while it consumes a burst of user.created. Restarted, it gets the uncommitted messages again;
// the eventId ledger and the one-welcome-order-per-user index make the redelivery harmless.
import { createUser, inParallel, unexpected } from './support/api';
import { closeDbs, count, paymentMismatches, query } from './support/db';
import { appPid, ensureAllRunning, logSince, logSize, startApp, stopApp } from './support/harness';
import { closeKafka, distinctEvents, messageCount, readTopics } from './support/kafka';
import { record, secs, until } from './support/report';

jest.setTimeout(300000);

const USERS = 150;
const DLQS = ['user.created.dlq', 'order.created.dlq', 'payment.completed.dlq', 'payment.failed.dlq'];
const dlqTotal = async () => (await Promise.all(DLQS.map(messageCount))).reduce((a, b) => a + b, 0);

describe('consumer crash mid-stream', () => {
  beforeAll(ensureAllRunning);
  afterAll(async () => {
    if (!appPid('orders')) await startApp('orders');
    await closeKafka();
    await closeDbs();
  });

  it(`SIGKILL of order-service during a burst of ${USERS} user.created: exactly one welcome order per user`, async () => {
    const dlqBefore = await dlqTotal();
    const [{ now }] = await query<{ now: Date }>('orders', 'SELECT now()');
    const welcomeSince = () => count('orders', "SELECT count(*) FROM orders WHERE kind = 'welcome' AND created_at >= $1", [now]);

    const burst = inParallel(Array.from({ length: USERS }, (_, i) => i), 6, (i) => createUser('s2-burst', i));
    // Kill it once it is visibly in the middle of the stream.
    const midStream = await until('order-service consuming the burst', welcomeSince, (n) => n >= 20, 60000, 50);
    const killed = await stopApp('orders', 'SIGKILL');
    const welcomeAtKill = await welcomeSince();
    const created = await burst;
    expect(unexpected(created, 201)).toEqual([]);
    const userIds = created.map((r) => r.body.id);
    const burstDone = Date.now();

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

    // Exactly one welcome order per user; each user.created recorded once in the ledger.
    expect(welcomeIds).toHaveLength(USERS);
    const perUser = await query<{ n: number }>('orders', "SELECT count(*)::int AS n FROM orders WHERE kind = 'welcome' AND user_id = ANY($1::uuid[]) GROUP BY user_id HAVING count(*) > 1", [userIds]);
    expect(perUser).toEqual([]);
    const topics = await readTopics(['user.created']);
    const events = distinctEvents(topics, 'user.created', 'userId', new Set(userIds));
    expect(events.size).toBe(USERS);
    const ledger = await count('orders', "SELECT count(*) FROM processed_events WHERE consumer = 'order-service.user-created' AND event_id = ANY($1::uuid[])", [[...events.keys()]]);
    expect(ledger).toBe(USERS);
    expect(await paymentMismatches(welcomeIds)).toEqual([]);
    expect(await dlqTotal()).toBe(dlqBefore);

    // What the restarted consumer got again: events whose effect had committed before the kill.
    const redelivered = logSince('orders', logFrom).filter((l) => l.rec?.topic === 'user.created' && l.rec?.outcome === 'duplicate').length;
    record(
      'consumer-crash',
      `order-service SIGKILLed after ${welcomeAtKill}/${USERS} welcome orders (${secs(midStream.ms)} into the burst); ` +
        `restarted and ready (consumer in its group) in ${secs(readyMs)}, all ${USERS} welcome orders ${secs(readyMs + all.ms)} ` +
        `after the restart, all paid or failed ${secs(readyMs + all.ms + final.ms)} after it; ${redelivered} uncommitted message(s) ` +
        `redelivered and recognised as duplicates; exactly 1 welcome order per user, 0 dead letters`,
      { users: USERS, welcomeAtKill, killMs: killed.ms, readyAfterRestartMs: readyMs, allWelcomeAfterRestartMs: all.ms, burstEndedBeforeRestartMs: restartedAt - burstDone, redeliveredDuplicates: redelivered },
    );
  });
});
