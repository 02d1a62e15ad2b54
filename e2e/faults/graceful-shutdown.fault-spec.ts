// Scenario 6: SIGTERM to order-service while it takes orders over HTTP and consumes a burst of
// user.created. Requests it accepted complete; the consumer finishes its message, commits exactly
// what it processed and leaves its group (no 30 s wait for a dead member); after a restart nothing
// is redone and nothing is missing.
import { Reply, createUser, inParallel, placeOrder, unexpected } from './support/api';
import { closeDbs, count, query } from './support/db';
import { appPid, ensureAllRunning, logSince, logSize, sleep, startApp, stopApp } from './support/harness';
import { GROUPS, closeKafka, committedOffsets, describeGroup, messageCount, readTopics } from './support/kafka';
import { record, secs, until } from './support/report';

jest.setTimeout(300000);

const BURST = 120;
const CLIENTS = 8;
const DLQS = ['user.created.dlq', 'order.created.dlq', 'payment.completed.dlq', 'payment.failed.dlq'];
const dlqTotal = async () => (await Promise.all(DLQS.map(messageCount))).reduce((a, b) => a + b, 0);

interface Timed extends Reply {
  start: number;
  end: number;
}

describe('graceful shutdown', () => {
  beforeAll(ensureAllRunning);
  afterAll(async () => {
    if (!appPid('orders')) await startApp('orders');
    await closeKafka();
    await closeDbs();
  });

  it('SIGTERM under load: in-flight requests complete, offsets committed, group left; nothing redone or lost after restart', async () => {
    const buyers = await inParallel(Array.from({ length: CLIENTS }, (_, i) => i), 4, (i) => createUser('s6-buyer', i));
    expect(unexpected(buyers, 201)).toEqual([]);
    const buyerIds = buyers.map((r) => r.body.id);
    await until('buyers known to order-service', () => count('orders', 'SELECT count(*) FROM known_users WHERE user_id = ANY($1::uuid[])', [buyerIds]), (n) => n === buyerIds.length, 60000);
    const dlqBefore = await dlqTotal();
    const [{ now }] = await query<{ now: Date }>('orders', 'SELECT now()');

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
    let sigterm = 0;
    let stopped = { ms: 0, killed: true };
    let group = { state: '', members: -1 };
    let committed = new Map<number, number>();
    let created: Awaited<ReturnType<typeof createUser>>[] = [];
    try {
      const burst = inParallel(Array.from({ length: BURST }, (_, i) => i), 4, (i) => createUser('s6-burst', i));
      const welcomeSince = () => count('orders', "SELECT count(*) FROM orders WHERE kind = 'welcome' AND created_at >= $1", [now]);
      await until('order-service busy with both', async () => ({ orders: replies.length, welcome: await welcomeSince() }), (v) => v.orders >= 20 && v.welcome >= 15, 60000, 50);

      sigterm = Date.now();
      stopped = await stopApp('orders', 'SIGTERM', 30000);
      group = await describeGroup(GROUPS.orders);
      committed = await committedOffsets(GROUPS.orders, 'user.created');
      await sleep(1000); // clients keep coming for a moment: the gateway answers 503
      loading = false;
      created = await burst;
    } finally {
      loading = false;
      await load;
    }
    expect(stopped.killed).toBe(false); // exited by itself
    expect(unexpected(created, 201)).toEqual([]);
    const burstIds = created.map((r) => r.body.id);

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

    // HTTP: every request answered (201 while it ran, 503 from the gateway once it was gone), none
    // failed otherwise, none hung; each 201 is an order in the database, and only those.
    const statuses = [...new Set(replies.map((r) => r.status))].sort();
    expect(replies.filter((r) => r.status !== 201 && r.status !== 503).map((r) => `${r.status} ${r.error ?? ''}`)).toEqual([]);
    expect(Math.max(...replies.map((r) => r.ms))).toBeLessThan(10000);
    const accepted = replies.filter((r) => r.status === 201);
    const inFlight = replies.filter((r) => r.start < sigterm && r.end > sigterm);

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
    const redone = logSince('orders', logFrom).filter((l) => l.rec?.topic === 'user.created' && l.rec?.outcome === 'duplicate').length;
    expect(redone).toBe(0);
    expect(await dlqTotal()).toBe(dlqBefore);

    const inFlightOk = inFlight.filter((r) => r.status === 201).length;
    record(
      'graceful-shutdown',
      `SIGTERM with ${inFlight.length} requests in flight and the consumer mid-burst: exited by itself in ${secs(stopped.ms)}; ` +
        `in flight: ${inFlightOk} x 201, ${inFlight.length - inFlightOk} x 503; ${accepted.length} orders accepted = ${accepted.length} stored ` +
        `(statuses seen ${statuses.join('/')}); group Empty at once; ${processedAtStop}/${BURST} burst events processed and committed, ` +
        `0 processed-but-uncommitted; after the restart 0 redone, all ${BURST} welcome orders ${secs(Date.now() - restart)} after it`,
      { shutdownMs: stopped.ms, inFlight: inFlight.length, inFlight201: inFlightOk, accepted: accepted.length, processedAtStop, redone, restartToAllWelcomeMs: Date.now() - restart, allWelcomeAfterReadyMs: all.ms },
    );
  });
});
