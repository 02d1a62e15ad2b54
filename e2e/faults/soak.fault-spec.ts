// A bounded soak: 2,000 sign-ups at a steady rate through the gateway while orders are placed
// (one for every second new user). At the end every count reconciles across the three databases
// and the topics, nothing valid is dead-lettered, and each app's memory comes back: its resident
// set (RSS) after the load and a rest is within RSS_MARGIN_MB of what it was before the load (both
// measured the same way, after a short warm-up load, so what any first load sets up for good is
// in the baseline and the margin is left for what this load kept). FAULTS_SOAK_USERS /
// FAULTS_SOAK_RATE change the size.
import { randomUUID } from 'node:crypto';
import { Reply, createUser, inParallel, placeOrder, unexpected } from './support/api';
import { closeDbs, count, paymentMismatches, query } from './support/db';
import { APPS, AppName, appPid, cpuSeconds, ensureAllRunning, rssMb, sleep } from './support/harness';
import { closeKafka, distinctEvents, messageCount, readTopics } from './support/kafka';
import { record, secs, until } from './support/report';

jest.setTimeout(600000);

const USERS = Number(process.env.FAULTS_SOAK_USERS ?? 2000);
const RATE = Number(process.env.FAULTS_SOAK_RATE ?? 12); // sign-ups per second: about what 2 busy cores sustain (~100 ms of CPU each)
const MAX_IN_FLIGHT = 8; // beyond it the load waits (lag, reported) instead of queueing in the services
const DLQS = ['user.created.dlq', 'user.deleted.dlq', 'order.created.dlq', 'payment.completed.dlq', 'payment.failed.dlq'];
const dlqTotal = async () => (await Promise.all(DLQS.map(messageCount))).reduce((a, b) => a + b, 0);
const NAMES = Object.keys(APPS) as AppName[];
/**
 * How far above its RSS before the load an app may rest after it (the README's Reliability table
 * states it): what a heap sized for the load keeps until V8 shrinks it. A leak of more than
 * RSS_MARGIN_MB / USERS per sign-up (15 KB at 2,000) does not fit in it.
 */
const RSS_MARGIN_MB = 30;
/** Sign-ups (half with an order) through the whole chain before the baseline is measured. */
const WARMUP = 100;
/** Each app's lowest RSS over a window (the level it rests at, not a collection's wave), and a sample per second. */
async function restingRss(pids: Record<AppName, number>, windowMs: number): Promise<{ low: Record<AppName, number>; trace: Record<AppName, number[]> }> {
  const low = Object.fromEntries(NAMES.map((n) => [n, rssMb(pids[n])])) as Record<AppName, number>;
  const trace = Object.fromEntries(NAMES.map((n) => [n, [low[n]]])) as Record<AppName, number[]>;
  for (let t = 250; t <= windowMs; t += 250) {
    await sleep(250);
    for (const n of NAMES) {
      const mb = rssMb(pids[n]);
      low[n] = Math.min(low[n], mb);
      if (t % 1000 === 0) trace[n].push(mb);
    }
  }
  return { low, trace };
}

/** A short load through the whole chain, waited out: its users' orders all paid or failed. */
async function warmUp(): Promise<void> {
  const tag = `soak-warmup-${randomUUID().slice(0, 8)}`;
  const users = await inParallel(Array.from({ length: WARMUP }, (_, i) => i), 4, async (i) => {
    const r = await createUser(tag, i);
    if (r.status === 201 && i % 2 === 0) expect(unexpected([await placeOrder(r.body.id)], 201)).toEqual([]);
    return r;
  });
  expect(unexpected(users, 201)).toEqual([]);
  const ids = users.map((r) => r.body.id as string);
  await until('warm-up orders paid or failed', () => count('orders', "SELECT count(*) FROM orders WHERE user_id = ANY($1::uuid[]) AND status <> 'pending'", [ids]), (n) => n === WARMUP + WARMUP / 2, 60000, 250);
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

describe('soak', () => {
  beforeAll(ensureAllRunning);
  afterAll(async () => {
    await closeKafka();
    await closeDbs();
  });

  it(`${USERS} sign-ups at ${RATE}/s with orders: every count reconciles, no dead letters, RSS back within ${RSS_MARGIN_MB} MB`, async () => {
    const tag = `soak-${randomUUID().slice(0, 8)}`;
    const dlqBefore = await dlqTotal();
    const pids = Object.fromEntries(NAMES.map((n) => [n, appPid(n)!])) as Record<AppName, number>;
    await warmUp();
    const rest = await restingRss(pids, 5000);
    const before = rest.low;
    const cpuBefore = Object.fromEntries(NAMES.map((n) => [n, cpuSeconds(pids[n])])) as Record<AppName, number>;
    const peak = { ...before };
    const sampler = setInterval(() => {
      for (const n of NAMES) peak[n] = Math.max(peak[n], rssMb(pids[n]));
    }, 500);

    const users: Reply[] = new Array(USERS);
    const orders: Reply[] = [];
    const pending = new Set<Promise<unknown>>();
    const track = (p: Promise<unknown>) => {
      pending.add(p);
      void p.finally(() => pending.delete(p));
    };
    const t0 = Date.now();
    let maxLagMs = 0;
    try {
      for (let i = 0; i < USERS; i++) {
        const due = t0 + (i * 1000) / RATE;
        if (Date.now() < due) await sleep(due - Date.now());
        while (pending.size >= MAX_IN_FLIGHT) await Promise.race(pending);
        maxLagMs = Math.max(maxLagMs, Date.now() - due);
        track(
          createUser(tag, i).then(async (r) => {
            users[i] = r;
            if (r.status === 201 && i % 2 === 0) orders.push(await placeOrder(r.body.id, 1 + (i % 5)));
          }),
        );
      }
      while (pending.size > 0) await Promise.race(pending);
    } finally {
      clearInterval(sampler);
    }
    const loadMs = Date.now() - t0;

    const failedUsers = users.filter((r) => r.status !== 201);
    const failedOrders = orders.filter((r) => r.status !== 201);
    expect(failedUsers.map((r) => `${r.status} ${r.error ?? ''}`).slice(0, 5)).toEqual([]);
    expect(failedOrders.map((r) => `${r.status} ${r.error ?? ''}`).slice(0, 5)).toEqual([]);
    const userIds = users.map((r) => r.body.id as string);
    const regularIds = orders.map((r) => r.body.id as string);

    // Let the last events flow, then count everything.
    const settle = Date.now();
    await until('every welcome order', () => count('orders', "SELECT count(*) FROM orders WHERE kind = 'welcome' AND user_id = ANY($1::uuid[])", [userIds]), (n) => n >= USERS, 180000, 500);
    const welcomeIds = (await query<{ id: string }>('orders', "SELECT id FROM orders WHERE kind = 'welcome' AND user_id = ANY($1::uuid[])", [userIds])).map((r) => r.id);
    const allOrders = [...welcomeIds, ...regularIds];
    await until('every order paid or failed', () => count('orders', "SELECT count(*) FROM orders WHERE id = ANY($1::uuid[]) AND status <> 'pending'", [allOrders]), (n) => n === allOrders.length, 180000, 500);
    await until(
      'outboxes empty',
      async () => (await Promise.all((['users', 'orders', 'payments'] as const).map((db) => count(db, 'SELECT count(*) FROM outbox_messages')))).reduce((a, b) => a + b, 0),
      (n) => n === 0,
      60000,
    );
    const settleMs = Date.now() - settle;
    // CPU the services spent on the whole soak: what a sign-up (with its order flow) costs.
    const cpu = Object.fromEntries(NAMES.map((n) => [n, Math.round((cpuSeconds(pids[n]) - cpuBefore[n]) * 10) / 10])) as Record<AppName, number>;
    const cpuMsPerUser = Math.round((Object.values(cpu).reduce((a, b) => a + b, 0) * 1000) / USERS);

    // Databases.
    const usersStored = await count('users', 'SELECT count(*) FROM users WHERE email LIKE $1', [`${tag}-%`]);
    const welcome = welcomeIds.length;
    const regular = await count('orders', "SELECT count(*) FROM orders WHERE kind = 'regular' AND user_id = ANY($1::uuid[])", [userIds]);
    const payments = await count('payments', 'SELECT count(*) FROM payments WHERE order_id = ANY($1::uuid[])', [allOrders]);
    expect({ usersStored, welcome, regular, payments }).toEqual({ usersStored: USERS, welcome: USERS, regular: orders.length, payments: USERS + orders.length });
    expect(await paymentMismatches(allOrders)).toEqual([]);

    // Topics: one event per fact.
    const topics = await readTopics(['user.created', 'order.created', 'payment.completed', 'payment.failed'], 120000);
    const orderSet = new Set(allOrders);
    const userEvents = distinctEvents(topics, 'user.created', 'userId', new Set(userIds)).size;
    const orderEvents = distinctEvents(topics, 'order.created', 'orderId', orderSet).size;
    const outcomeEvents = distinctEvents(topics, 'payment.completed', 'orderId', orderSet).size + distinctEvents(topics, 'payment.failed', 'orderId', orderSet).size;
    expect({ userEvents, orderEvents, outcomeEvents }).toEqual({ userEvents: USERS, orderEvents: allOrders.length, outcomeEvents: allOrders.length });
    const dlqDelta = (await dlqTotal()) - dlqBefore;
    expect(dlqDelta).toBe(0);

    // Memory after a rest, measured as before.
    const afterRest = await restingRss(pids, 15000);
    const after = afterRest.low;
    for (const n of NAMES) expect(appPid(n)).toBe(pids[n]); // nobody restarted
    const grownMb = Object.fromEntries(NAMES.map((n) => [n, after[n] - before[n]])) as Record<AppName, number>;
    const latencies = users.map((r) => r.ms);
    const orderLatencies = orders.map((r) => r.ms);
    const memory = NAMES.map((n) => `${n} ${before[n]}/${peak[n]}/${after[n]} MB`).join(', ');
    record(
      'soak',
      `${USERS} users in ${secs(loadMs)} (${(USERS / (loadMs / 1000)).toFixed(1)}/s, target ${RATE}/s, max lag ${Math.round(maxLagMs)} ms) + ${orders.length} orders, all 201; ` +
        `sign-up latency p50 ${pct(latencies, 50)} / p95 ${pct(latencies, 95)} / max ${Math.max(...latencies)} ms, order p95 ${pct(orderLatencies, 95)} ms; ` +
        `settled ${secs(settleMs)} after the last request; users ${usersStored} = user.created ${userEvents} = welcome orders ${welcome}; ` +
        `orders ${allOrders.length} = order.created ${orderEvents} = payments ${payments} = outcomes ${outcomeEvents}; dead letters +0; ` +
        `RSS before/peak/after (after a ${WARMUP}-sign-up warm-up; lowest over a rest): ${memory}, largest growth +${Math.max(...Object.values(grownMb))} MB (margin ${RSS_MARGIN_MB} MB); CPU ${NAMES.map((n) => `${n} ${cpu[n]} s`).join(', ')} (${cpuMsPerUser} ms per sign-up)`,
      {
        users: USERS, targetRate: RATE, loadMs, maxLagMs, orders: orders.length, settleMs,
        signupLatencyMs: { p50: pct(latencies, 50), p95: pct(latencies, 95), p99: pct(latencies, 99), max: Math.max(...latencies) },
        orderLatencyMs: { p50: pct(orderLatencies, 50), p95: pct(orderLatencies, 95), max: Math.max(...orderLatencies) },
        reconciled: { usersStored, userEvents, welcome, regular, allOrders: allOrders.length, orderEvents, payments, outcomeEvents, dlqDelta },
        rssMb: { before, peak, after, grown: grownMb, margin: RSS_MARGIN_MB, beforeTrace: rest.trace, afterTrace: afterRest.trace },
        cpuSeconds: cpu,
        cpuMsPerUser,
      },
    );
    // Recorded first, so a failing run still says what it measured.
    expect(NAMES.filter((n) => grownMb[n] > RSS_MARGIN_MB).map((n) => `${n}: ${before[n]} -> ${after[n]} MB (+${grownMb[n]}, margin ${RSS_MARGIN_MB})`)).toEqual([]);
  });
});
