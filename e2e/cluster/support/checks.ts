// The end of every cluster scenario: once the load has stopped and the events have settled, count
// what the scenario's operations left in the three databases and on the topics, and read the
// rows' own history for order.
//   users = user.created = welcome orders; orders = payments = outcomes; 0 lost, 0 doubled;
//   every order's status history a forward path of the state machine; every service applied the
//   events of one key in the order they occurred.
import { SystemDatabases } from '../../support/system-db';
import { SystemTopics, TopicMessage } from '../../support/system-kafka';
import { until } from '../../support/scenario-report';
import { LoadSummary, succeeded } from './load';
import { ALLOWED_MOVES, RESTING_STATUSES } from '../../support/order-states';

export const EVENT_TOPICS = [
  'user.created',
  'order.created',
  'payment.completed',
  'payment.failed',
  'order.cancelled',
  'order.refund-requested',
  'payment.refunded',
  'payment.refund-failed',
];
export const DLQ_TOPICS = EVENT_TOPICS.map((t) => `${t}.dlq`);


export interface System {
  dbs: SystemDatabases;
  topics: SystemTopics;
}

export interface EndState {
  users: number;
  userEvents: number;
  welcomeOrders: number;
  regularOrders: number;
  orders: number;
  payments: number;
  outcomes: number;
  paid: number;
  cancels: number;
  refunds: number;
  /** From the end of the load until every count was complete and the outboxes empty. */
  settleMs: number;
  historyRows: number;
  /** Order created → its payment's outcome applied (paid / failed / refund asked), from the history rows: median and worst. */
  outcomeP50Ms: number;
  outcomeMaxMs: number;
  /** Events applied by a consumer for a key that had more than one (what the order check compared). */
  orderedApplications: number;
  deadLetters: number;
  /** Copies of an event on a topic beyond the first (a relay re-sent it; harmless, counted). */
  topicCopies: number;
}

export interface Problems {
  lost: string[];
  doubled: string[];
  backwards: string[];
  outOfOrder: string[];
  other: string[];
}

export const dlqTotal = async (sys: System) => (await Promise.all(DLQ_TOPICS.map((t) => sys.topics.messageCount(t)))).reduce((a, b) => a + b, 0);

/**
 * Waits until the scenario's effects are complete (every order resting with its payment, outboxes
 * empty), then counts everything. Never throws for a count that is off: the scenario asserts on
 * `problems` (all empty) so the report shows every figure first.
 */
export async function settleAndCount(sys: System, load: LoadSummary, tag: string, dlqBefore: number, timeoutMs = 120000): Promise<{ state: EndState; problems: Problems }> {
  const problems: Problems = { lost: [], doubled: [], backwards: [], outOfOrder: [], other: [] };
  const t0 = Date.now();
  const { dbs } = sys;
  const okOps = load.ops.filter(succeeded);
  const signups = okOps.filter((o) => o.kind === 'signup');
  const orderOps = okOps.filter((o) => o.kind === 'order');
  const cancels = okOps.filter((o) => o.kind === 'cancel');

  // Users: by the scenario's email prefix; the unique index makes a doubled sign-up impossible to
  // store, so a doubled effect would show as an extra row only through another email (none is sent).
  const userRows = await dbs.query<{ id: string; email: string }>('users', 'SELECT id, email FROM users WHERE email LIKE $1', [`${tag}-%`]);
  const byEmail = new Map(userRows.map((u) => [u.email, u.id]));
  for (const op of signups) if (!byEmail.has(op.ref)) problems.lost.push(`user ${op.ref} (answered ${op.final})`);
  const extraUsers = userRows.filter((u) => !signups.some((o) => o.ref === u.email));
  for (const u of extraUsers) problems.other.push(`user ${u.email} stored though its sign-up did not succeed at the client`);
  const userIds = userRows.map((u) => u.id);

  // Regular orders: one productId per logical order; two rows with one productId = a doubled order.
  const orderRows = () =>
    dbs.query<{ id: string; product_id: string }>(
      'orders',
      'SELECT o.id, i.product_id FROM orders o JOIN order_items i ON i.order_id = o.id WHERE i.product_id LIKE $1',
      [`product-${tag}-%`],
    );
  const regular = await orderRows();
  const byProduct = new Map<string, string[]>();
  for (const r of regular) byProduct.set(r.product_id, [...(byProduct.get(r.product_id) ?? []), r.id]);
  for (const op of orderOps) {
    const ids = byProduct.get(op.ref) ?? [];
    if (ids.length === 0) problems.lost.push(`order ${op.ref} (answered ${op.final})`);
    if (ids.length > 1) problems.doubled.push(`order ${op.ref} stored ${ids.length} times`);
  }
  for (const [product, ids] of byProduct) {
    if (!orderOps.some((o) => o.ref === product)) problems.other.push(`order ${product} (${ids.length} row(s)) stored though the client saw it fail`);
  }
  const regularIds = regular.map((r) => r.id);

  // Welcome orders: one per user, as soon as user.created has been consumed.
  const welcomeRows = async () =>
    dbs.query<{ id: string; user_id: string }>('orders', "SELECT id, user_id FROM orders WHERE kind = 'welcome' AND user_id = ANY($1::uuid[])", [userIds]);
  await until('a welcome order for every user', async () => new Set((await welcomeRows()).map((r) => r.user_id)).size, (n) => n >= userIds.length, timeoutMs).catch(
    (e: Error) => problems.lost.push(e.message),
  );
  const welcome = await welcomeRows();
  const welcomePerUser = new Map<string, number>();
  for (const w of welcome) welcomePerUser.set(w.user_id, (welcomePerUser.get(w.user_id) ?? 0) + 1);
  for (const id of userIds) {
    const n = welcomePerUser.get(id) ?? 0;
    if (n === 0) problems.lost.push(`welcome order of user ${id}`);
    if (n > 1) problems.doubled.push(`user ${id} has ${n} welcome orders`);
  }
  const orderIds = [...welcome.map((w) => w.id), ...regularIds];

  // Every order resting with exactly its one payment, and nothing left to relay.
  const unsettled = async () => {
    const [notResting, paid, outboxes] = await Promise.all([
      dbs.count('orders', 'SELECT count(*) FROM orders WHERE id = ANY($1::uuid[]) AND status <> ALL($2::text[])', [orderIds, RESTING_STATUSES]),
      dbs.count('payments', 'SELECT count(DISTINCT order_id) FROM payments WHERE order_id = ANY($1::uuid[])', [orderIds]),
      Promise.all((['users', 'orders', 'payments'] as const).map((db) => dbs.count(db, 'SELECT count(*) FROM outbox_messages'))),
    ]);
    return { notResting, withoutPayment: orderIds.length - paid, outbox: outboxes.reduce((a, b) => a + b, 0) };
  };
  await until('every order resting with its payment, outboxes empty', unsettled, (u) => u.notResting === 0 && u.withoutPayment === 0 && u.outbox === 0, timeoutMs).catch(
    (e: Error) => problems.lost.push(e.message),
  );
  const settleMs = Date.now() - t0;

  // Payments: exactly one per order (the unique index says so too); the status agrees unless a cancel moved it.
  const payments = await dbs.query<{ order_id: string; n: number }>('payments', 'SELECT order_id, count(*)::int AS n FROM payments WHERE order_id = ANY($1::uuid[]) GROUP BY 1', [orderIds]);
  for (const p of payments) if (p.n > 1) problems.doubled.push(`order ${p.order_id} has ${p.n} payments`);
  const cancelled = new Set(cancels.map((c) => c.ref));
  problems.other.push(...(await dbs.paymentMismatches(orderIds.filter((id) => !cancelled.has(id)))));

  // Topics: one distinct event per fact; a copy re-sent by a relay carries the same eventId.
  const messages = await sys.topics.readTopics(EVENT_TOPICS);
  const ids = { user: new Set(userIds), order: new Set(orderIds) };
  const distinct = (topic: string, field: 'userId' | 'orderId') => {
    const per = new Map<string, Set<string>>();
    for (const m of messages) {
      if (m.topic !== topic || !m.event) continue;
      const id = String(m.event.data?.[field]);
      if (!(field === 'userId' ? ids.user : ids.order).has(id)) continue;
      per.set(id, (per.get(id) ?? new Set()).add(m.event.eventId));
    }
    return per;
  };
  const userEvents = distinct('user.created', 'userId');
  const orderEvents = distinct('order.created', 'orderId');
  const outcomeEvents = new Map<string, Set<string>>();
  for (const t of ['payment.completed', 'payment.failed']) {
    for (const [id, evs] of distinct(t, 'orderId')) outcomeEvents.set(id, new Set([...(outcomeEvents.get(id) ?? []), ...evs]));
  }
  const exactlyOne = (what: string, per: Map<string, Set<string>>, all: string[]) => {
    for (const id of all) {
      const n = per.get(id)?.size ?? 0;
      if (n === 0) problems.lost.push(`${what} of ${id}`);
      if (n > 1) problems.doubled.push(`${n} distinct ${what} events for ${id}`);
    }
  };
  exactlyOne('user.created', userEvents, userIds);
  exactlyOne('order.created', orderEvents, orderIds);
  exactlyOne('payment outcome', outcomeEvents, orderIds);
  const scenarioEvents = messages.filter((m) => m.event && (ids.user.has(String(m.event.data?.userId)) || ids.order.has(String(m.event.data?.orderId))));
  const topicCopies = scenarioEvents.length - new Set(scenarioEvents.map((m) => m.event!.eventId)).size;

  const { rows: historyRows, outcomeMs } = await checkHistories(dbs, orderIds, problems);
  const orderedApplications = await checkAppliedInOrder(dbs, scenarioEvents, problems);
  checkRelayOrder(scenarioEvents, problems);

  const deadLetters = (await dlqTotal(sys)) - dlqBefore;
  if (deadLetters !== 0) problems.other.push(`${deadLetters} new dead letter(s)`);
  const statusCount = async (statuses: string[]) =>
    dbs.count('orders', 'SELECT count(*) FROM orders WHERE id = ANY($1::uuid[]) AND status = ANY($2::text[])', [orderIds, statuses]);
  const state: EndState = {
    users: userRows.length,
    userEvents: [...userEvents.values()].reduce((n, s) => n + s.size, 0),
    welcomeOrders: welcome.length,
    regularOrders: regular.length,
    orders: orderIds.length,
    payments: payments.reduce((n, p) => n + p.n, 0),
    outcomes: [...outcomeEvents.values()].reduce((n, s) => n + s.size, 0),
    paid: await statusCount(['paid']),
    cancels: cancels.length,
    refunds: await statusCount(['refunded']),
    settleMs,
    historyRows,
    outcomeP50Ms: outcomeMs.length ? outcomeMs[Math.floor(outcomeMs.length / 2)] : 0,
    outcomeMaxMs: outcomeMs.length ? outcomeMs[outcomeMs.length - 1] : 0,
    orderedApplications,
    deadLetters,
    topicCopies,
  };
  return { state, problems };
}

/** Every order's history (order_status_history, in id order) is a forward path of the state machine. */
async function checkHistories(dbs: SystemDatabases, orderIds: string[], problems: Problems): Promise<{ rows: number; outcomeMs: number[] }> {
  const rows = await dbs.query<{ order_id: string; from_status: string | null; to_status: string; trigger: string; at: Date }>(
    'orders',
    'SELECT order_id, from_status, to_status, trigger, at FROM order_status_history WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, id',
    [orderIds],
  );
  const byOrder = new Map<string, typeof rows>();
  for (const r of rows) byOrder.set(r.order_id, [...(byOrder.get(r.order_id) ?? []), r]);
  const outcomeMs: number[] = [];
  for (const id of orderIds) {
    const steps = byOrder.get(id) ?? [];
    const outcome = steps.find((s) => s.trigger === 'payment_completed' || s.trigger === 'payment_failed');
    if (outcome && steps[0]) outcomeMs.push(outcome.at.getTime() - steps[0].at.getTime());
    const path = steps.map((s) => s.to_status).join(' > ');
    if (steps[0]?.from_status !== null || steps[0]?.to_status !== 'pending') {
      problems.backwards.push(`order ${id}: history does not start at pending (${path || 'no rows'})`);
      continue;
    }
    for (let i = 1; i < steps.length; i++) {
      const s = steps[i];
      if (s.from_status !== steps[i - 1].to_status) problems.backwards.push(`order ${id}: step ${i} starts at ${s.from_status}, the previous ended at ${steps[i - 1].to_status}`);
      if (!ALLOWED_MOVES.has(`${s.from_status}>${s.to_status}`)) problems.backwards.push(`order ${id}: ${s.from_status} > ${s.to_status} is not a move of the state machine (${path})`);
      if (s.at.getTime() < steps[i - 1].at.getTime()) problems.backwards.push(`order ${id}: step ${i} recorded before the step it follows`);
    }
    if (new Set(steps.map((s) => s.to_status)).size !== steps.length) problems.backwards.push(`order ${id}: a status visited twice (${path})`);
  }
  return { rows: rows.length, outcomeMs: outcomeMs.sort((a, b) => a - b) };
}

/**
 * Each service's ledger (processed_events: one row per applied event, written with its effect)
 * says when it applied each event; for every key with several events, applying them must follow
 * the order in which they occurred (the envelope's occurredAt).
 */
async function checkAppliedInOrder(dbs: SystemDatabases, events: TopicMessage[], problems: Problems): Promise<number> {
  const byId = new Map(events.map((m) => [m.event!.eventId, m]));
  let compared = 0;
  for (const db of ['orders', 'payments'] as const) {
    const ledger = await dbs.query<{ event_id: string; processed_at: Date }>(
      db,
      'SELECT event_id, processed_at FROM processed_events WHERE event_id = ANY($1::uuid[]) ORDER BY processed_at',
      [[...byId.keys()]],
    );
    const perKey = new Map<string, { topic: string; occurredAt: number; appliedAt: number }[]>();
    for (const row of ledger) {
      const m = byId.get(row.event_id)!;
      const key = m.key ?? '';
      perKey.set(key, [...(perKey.get(key) ?? []), { topic: m.topic, occurredAt: Date.parse(m.event!.occurredAt ?? ''), appliedAt: row.processed_at.getTime() }]);
    }
    for (const [key, applied] of perKey) {
      if (applied.length < 2) continue;
      compared += applied.length;
      for (let i = 1; i < applied.length; i++) {
        if (applied[i].occurredAt < applied[i - 1].occurredAt) {
          problems.outOfOrder.push(`${db}: key ${key}: ${applied[i].topic} (occurred ${new Date(applied[i].occurredAt).toISOString()}) applied after ${applied[i - 1].topic} (occurred later)`);
        }
      }
    }
  }
  return compared;
}

/** On each partition, the events of one key are in the order they occurred (the relays kept per-key order). */
function checkRelayOrder(events: TopicMessage[], problems: Problems): void {
  const last = new Map<string, number>();
  const copies = new Map<string, number>();
  for (const m of events) copies.set(m.event!.eventId, (copies.get(m.event!.eventId) ?? 0) + 1);
  for (const m of events) {
    const k = `${m.topic}/${m.partition}/${m.key}`;
    const occurred = Date.parse(m.event!.occurredAt ?? '');
    const prev = last.get(k);
    // A re-sent copy of an earlier event may follow later ones; only a first copy out of order counts.
    if (prev !== undefined && occurred < prev && copies.get(m.event!.eventId) === 1) {
      problems.outOfOrder.push(`${m.topic}[${m.partition}] key ${m.key}: event at offset ${m.offset} occurred before the one ahead of it`);
    }
    last.set(k, Math.max(prev ?? 0, occurred));
  }
}

/** One line of what the end state counted. */
export function describeEnd(s: EndState): string {
  return (
    `users ${s.users} = user.created ${s.userEvents} = welcome orders ${s.welcomeOrders}; ` +
    `orders ${s.orders} (${s.regularOrders} placed) = payments ${s.payments} = outcomes ${s.outcomes} (${s.paid} paid` +
    `${s.cancels ? `, ${s.cancels} cancels, ${s.refunds} refunded` : ''}); settled ${(s.settleMs / 1000).toFixed(1)} s after the load; ` +
    `order → payment outcome p50 ${s.outcomeP50Ms} ms, worst ${(s.outcomeMaxMs / 1000).toFixed(1)} s; ${s.historyRows} history rows forward-only; ${s.orderedApplications} applications of multi-event keys in order; ` +
    `${s.topicCopies} re-sent copies, ${s.deadLetters} dead letters`
  );
}
