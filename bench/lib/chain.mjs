// 2-3. The chain: POST /api/users returns → user.created → welcome order → order.created →
// payment → payment.completed → order paid. Timed from the moment the POST returned to the
// transaction that marked the welcome order paid (orders.updated_at, set in that transaction), with
// each hop from the rows' own timestamps; next to Kafka's EndToEndLatency on the same broker.
import { randomUUID } from 'node:crypto';
import { endToEndLatency } from './kafka.mjs';
import { openLoop } from './load.mjs';
import { median, medianOf, percentile } from './stats.mjs';

export const PASSWORD = 'SecurePass123!';

/**
 * One run: `rate` sign-ups per second through the gateway for `seconds`, then wait for every chain.
 * @param {import('./main.mjs').Ctx} ctx
 * @param {{ rate: number, seconds: number, tag: string, drainTimeoutMs?: number }} opts
 */
export async function chainRun(ctx, opts) {
  const run = `${ctx.runId}-${opts.tag}`;
  const dlqBefore = await ctx.dlqTotal();
  const meter = ctx.meter();
  // Wall clock of a performance.now() instant, synced per run (no drift over a long bench).
  const offset = Date.now() - performance.now();
  meter.start();
  const res = await openLoop(
    ctx.urls.gateway,
    (i) => ({
      method: 'POST',
      path: '/api/users',
      headers: { 'content-type': 'application/json', 'x-api-key': ctx.apiKey, 'x-request-id': `${run}-${i}` },
      body: JSON.stringify({ email: `${run}-${i}@example.com`, name: `Bench ${i}`, password: PASSWORD }),
    }),
    { rate: opts.rate, seconds: opts.seconds, connections: 256, keepBodies: true, timeoutMs: 30000 },
  );
  const created = [];
  for (const s of res.samples) {
    if (s.status !== 201) continue;
    try {
      created.push({ id: JSON.parse(s.body ?? '').id, returnedAt: offset + s.doneAt });
    } catch {
      // counted as not created
    }
  }
  const lastReturn = Math.max(...created.map((c) => c.returnedAt));
  const done = await ctx.waitChains(
    created.map((c) => c.id),
    opts.drainTimeoutMs ?? 20000,
  );
  const cpu = meter.stop();
  const hops = await ctx.chainHops(created.map((c) => c.id));
  const lat = [];
  const hop = { userToOrder: [], orderToPayment: [], paymentToPaid: [] };
  const ordered = created.map((c) => ({ ...c, paidAt: done.get(c.id), h: hops.get(c.id) }));
  for (const c of ordered) {
    if (c.paidAt === undefined) continue;
    lat.push(c.paidAt - c.returnedAt);
    if (c.h) {
      hop.userToOrder.push(c.h.orderAt - c.returnedAt);
      hop.orderToPayment.push(c.h.paymentAt - c.h.orderAt);
      hop.paymentToPaid.push(c.paidAt - c.h.paymentAt);
    }
  }
  const sorted = [...lat].sort((a, b) => a - b);
  // Backlog bounded: the chains of the last fifth of the run took about as long as the first fifth.
  const fifth = Math.max(1, Math.floor(ordered.length / 5));
  const p50of = (arr) => median(arr.filter((c) => c.paidAt !== undefined).map((c) => c.paidAt - c.returnedAt));
  const growthMs = p50of(ordered.slice(-fifth)) - p50of(ordered.slice(0, fifth));
  const drainMs = done.size ? Math.max(...done.values()) - lastReturn : NaN;
  const counts = await ctx.reconcile(created.map((c) => c.id));
  const dlqDelta = (await ctx.dlqTotal()) - dlqBefore;
  const postOk = res.samples.filter((s) => s.status === 201).map((s) => s.ms).sort((a, b) => a - b);
  return {
    rate: opts.rate,
    seconds: opts.seconds,
    sent: res.sent,
    created: created.length,
    completed: lat.length,
    statuses: res.statuses,
    achievedRate: res.achievedRate,
    postP50: percentile(postOk, 50),
    postP99: percentile(postOk, 99),
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
    hops: Object.fromEntries(Object.entries(hop).map(([k, v]) => [k, { p50: percentile([...v].sort((a, b) => a - b), 50), p99: percentile([...v].sort((a, b) => a - b), 99) }])),
    growthMs,
    drainMs,
    counts,
    dlqDelta,
    sendLagP99: res.sendLagP99,
    cpu,
    // The chain latencies themselves (ms, in send order), for the runs whose percentiles are figures.
    latMs: lat,
  };
}

/** A run without its latency samples (runs whose percentiles are not figures of the report). */
export const withoutSamples = ({ latMs, ...rest }) => rest;

/**
 * Steady and complete: every sign-up answered 201 at the asked rate, every chain ended paid, the
 * counts reconcile, nothing dead-lettered, the backlog did not grow and drained within 2 s.
 */
export function steady(r) {
  const reasons = [];
  if (r.created !== r.sent) reasons.push(`${r.sent - r.created} sign-ups not 201 (${JSON.stringify(r.statuses)})`);
  if (r.achievedRate < 0.97 * r.rate) reasons.push(`sent ${r.achievedRate.toFixed(1)}/s of ${r.rate}/s`);
  if (r.completed !== r.created) reasons.push(`${r.created - r.completed} chains incomplete`);
  if (!r.counts.reconciled) reasons.push(`counts do not reconcile: ${JSON.stringify(r.counts)}`);
  if (r.dlqDelta) reasons.push(`${r.dlqDelta} dead-lettered`);
  if (r.growthMs > 250) reasons.push(`chain p50 grew ${r.growthMs.toFixed(0)} ms during the run (backlog)`);
  if (r.drainMs > 2000) reasons.push(`took ${(r.drainMs / 1000).toFixed(1)} s to drain after the load`);
  if (r.postP99 > 1000) reasons.push(`sign-up p99 ${r.postP99.toFixed(0)} ms (queueing)`);
  return reasons;
}

/**
 * Chain latency at a low fixed rate, alternating with Kafka's EndToEndLatency on the same broker.
 * @param {import('./main.mjs').Ctx} ctx
 */
export async function chainLatencyLow(ctx) {
  const runs = [];
  const kafka = [];
  for (let i = 0; i < ctx.cfg.rounds; i++) {
    const r = await chainRun(ctx, { rate: ctx.cfg.lowRate, seconds: ctx.cfg.chainSeconds, tag: `low${i}` });
    runs.push(r);
    ctx.log(`  chain at ${ctx.cfg.lowRate}/s: p50 ${r.p50.toFixed(1)} ms p99 ${r.p99.toFixed(1)} ms (${r.completed}/${r.sent} complete)`);
    const meter = ctx.meter();
    meter.start();
    const k = await endToEndLatency(ctx.broker, { messages: ctx.cfg.e2eMessages, acks: 'all', size: ctx.eventSize, workDir: ctx.workDir });
    kafka.push({ ...k, cpu: meter.stop() });
    ctx.log(`  Kafka EndToEndLatency (${k.messages} × ${ctx.eventSize} B, acks=all): p50 ${k.p50} ms p99 ${k.p99} ms`);
    await ctx.settle();
  }
  return { runs, kafka, ...latencySummary(runs), kafkaP50: medianOf(kafka, (k) => k.p50), kafkaP99: medianOf(kafka, (k) => k.p99) };
}

export function latencySummary(runs) {
  return {
    p50: medianOf(runs, (r) => r.p50),
    p99: medianOf(runs, (r) => r.p99),
    hops: {
      userToOrder: { p50: medianOf(runs, (r) => r.hops.userToOrder.p50), p99: medianOf(runs, (r) => r.hops.userToOrder.p99) },
      orderToPayment: { p50: medianOf(runs, (r) => r.hops.orderToPayment.p50), p99: medianOf(runs, (r) => r.hops.orderToPayment.p99) },
      paymentToPaid: { p50: medianOf(runs, (r) => r.hops.paymentToPaid.p50), p99: medianOf(runs, (r) => r.hops.paymentToPaid.p99) },
    },
    completed: runs.reduce((n, r) => n + r.completed, 0),
    sent: runs.reduce((n, r) => n + r.sent, 0),
  };
}

/**
 * The highest steady sign-up rate: climb ×1.5 from a low rate until a step fails, bisect once,
 * then repeat the best rate so it is the median of `rounds` runs.
 * @param {import('./main.mjs').Ctx} ctx
 */
export async function chainThroughput(ctx) {
  const steps = [];
  const tryRate = async (rate) => {
    const r = withoutSamples(await chainRun(ctx, { rate, seconds: ctx.cfg.stepSeconds, tag: `tp${steps.length}` }));
    const reasons = steady(r);
    steps.push({ ...r, pass: reasons.length === 0, reasons });
    ctx.log(`  ${rate}/s for ${ctx.cfg.stepSeconds} s: ${reasons.length ? `not steady: ${reasons.join('; ')}` : 'steady'} (chain p50 ${r.p50.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms, drain ${r.drainMs.toFixed(0)} ms)`);
    await ctx.settle();
    return reasons.length === 0;
  };
  let pass = 0;
  let fail = 0;
  for (let rate = ctx.cfg.startRate; rate <= ctx.cfg.maxRate; rate = Math.round(rate * 1.5)) {
    if (await tryRate(rate)) pass = rate;
    else {
      fail = rate;
      break;
    }
  }
  // The first step already too fast: halve until one holds, so the figure is a rate, not a zero.
  for (let rate = Math.floor(fail / 2); !pass && rate >= 1; rate = Math.floor(rate / 2)) {
    if (await tryRate(rate)) pass = rate;
    else fail = rate;
  }
  if (pass && fail && fail - pass > Math.max(2, pass * 0.1)) {
    const mid = Math.round((pass + fail) / 2);
    if (await tryRate(mid)) pass = mid;
  }
  if (!pass) return { best: 0, steps, confirm: [] };
  // The best rate again, so the figure is a median of several runs, not one lucky step.
  const confirm = [steps.find((s) => s.rate === pass && s.pass)];
  for (let i = 1; i < ctx.cfg.rounds; i++) {
    const r = withoutSamples(await chainRun(ctx, { rate: pass, seconds: ctx.cfg.stepSeconds, tag: `tpc${i}` }));
    const reasons = steady(r);
    confirm.push({ ...r, pass: reasons.length === 0, reasons });
    ctx.log(`  confirm ${pass}/s: ${reasons.length ? `not steady: ${reasons.join('; ')}` : 'steady'}`);
    await ctx.settle();
  }
  const completedRate = medianOf(confirm, (r) => (r.completed === r.sent && r.reasons.length === 0 ? r.achievedRate : 0));
  return { best: pass, completedRate, confirmed: confirm.filter((r) => r.pass).length, steps, confirm };
}

/**
 * The event pipeline alone (no sign-up request, no password hash): user.created events written
 * straight to Kafka as fast as the bench can, timed until every welcome order is paid.
 * @param {import('./main.mjs').Ctx} ctx
 */
export async function pipelineCapacity(ctx) {
  const runs = [];
  for (let i = 0; i < ctx.cfg.rounds; i++) {
    const n = ctx.cfg.injectCount;
    const ids = Array.from({ length: n }, () => randomUUID());
    const producer = ctx.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const meter = ctx.meter();
    const dlqBefore = await ctx.dlqTotal();
    const trips = await ctx.roundTrips();
    const t0 = Date.now();
    meter.start();
    const messages = ids.map((userId, j) => ({
      key: userId,
      value: JSON.stringify({
        eventId: randomUUID(),
        type: 'UserCreated',
        version: 1,
        occurredAt: new Date().toISOString(),
        requestId: `${ctx.runId}-inject${i}-${j}`,
        data: { userId, email: `${ctx.runId}-inject${i}-${j}@example.com`, name: `Injected ${j}`, role: 'user' },
      }),
    }));
    for (let k = 0; k < messages.length; k += 500) {
      await producer.send({ topic: 'user.created', acks: -1, messages: messages.slice(k, k + 500) });
    }
    const producedMs = Date.now() - t0;
    await producer.disconnect();
    const done = await ctx.waitChains(ids, 120000);
    const cpu = meter.stop();
    const statements = await trips.stop();
    const last = Math.max(...done.values());
    const seconds = (last - t0) / 1000;
    const counts = await ctx.reconcile(ids, { injected: true });
    const dlqDelta = (await ctx.dlqTotal()) - dlqBefore;
    const tripsPerChain = statements === null || done.size === 0 ? null : statements / done.size;
    // Every process but the load generator: the apps, their databases, Kafka.
    const cpuSec = Object.entries(cpu.groups).reduce((sum, [name, g]) => (name === 'loadgen' ? sum : sum + g.cpuSec), 0);
    const cpuMsPerChain = done.size === 0 ? null : (1000 * cpuSec) / done.size;
    runs.push({ injected: n, completed: done.size, seconds, rate: done.size / seconds, producedMs, counts, dlqDelta, cpu, statements, tripsPerChain, cpuMsPerChain });
    ctx.log(
      `  ${n} user.created → ${done.size} paid in ${seconds.toFixed(2)} s = ${(done.size / seconds).toFixed(0)} chains/s; ` +
        `${tripsPerChain === null ? 'round trips n/a' : `${tripsPerChain.toFixed(1)} PostgreSQL round trips`} and ${cpuMsPerChain?.toFixed(2)} ms CPU per chain`,
    );
    await ctx.settle();
  }
  const measured = (key) => (runs.every((r) => r[key] !== null) ? medianOf(runs, (r) => r[key]) : null);
  return { runs, rate: medianOf(runs, (r) => (r.completed === r.injected ? r.rate : 0)), tripsPerChain: measured('tripsPerChain'), cpuMsPerChain: measured('cpuMsPerChain') };
}
