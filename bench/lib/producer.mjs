// 4. Producer ceiling: how many events per second user-service's outbox relay publishes, next to
// Kafka's own ProducerPerformance with the same acks, record size and partition count.
import { BENCH_TOPICS, producerPerformance, topicEnds } from './kafka.mjs';
import { medianOf } from './stats.mjs';

/**
 * Rows are put straight into user-service's outbox table, the relay is woken by a sign-up, and the
 * events are counted as they arrive on the topic.
 * @param {import('./main.mjs').Ctx} ctx
 */
export async function producerCeiling(ctx) {
  const payload = ctx.samplePayload();
  const size = Buffer.byteLength(JSON.stringify(payload));
  const relay = [];
  const perf = [];
  // Size the relay runs from a first short one, so that each lasts about relaySeconds.
  let rows = ctx.cfg.relayProbeRows;
  const probe = await relayRun(ctx, rows, payload);
  ctx.log(`  relay probe: ${probe.rows} rows in ${probe.seconds.toFixed(2)} s = ${probe.rate.toFixed(0)} events/s`);
  rows = Math.max(ctx.cfg.relayProbeRows, Math.min(ctx.cfg.relayMaxRows, Math.round(probe.rate * ctx.cfg.relaySeconds)));
  for (let i = 0; i < ctx.cfg.rounds; i++) {
    const r = await relayRun(ctx, rows, payload);
    relay.push(r);
    ctx.log(`  relay: ${r.rows} events in ${r.seconds.toFixed(2)} s = ${r.rate.toFixed(0)} events/s`);
    const meter = ctx.meter();
    meter.start();
    const p = await producerPerformance(ctx.broker, {
      records: ctx.cfg.perfRecords,
      size,
      acks: 'all',
      // What our producer runs with: idempotent (acks=all), no compression.
      props: { 'enable.idempotence': 'true', 'compression.type': 'none' },
      workDir: ctx.workDir,
    });
    perf.push({ ...p, cpu: meter.stop() });
    ctx.log(`  ProducerPerformance: ${p.records} × ${size} B, acks=all: ${p.perSec.toFixed(0)} records/s`);
  }
  const relayRate = medianOf(relay, (r) => r.rate);
  const ceiling = medianOf(perf, (p) => p.perSec);
  return { size, partitions: BENCH_TOPICS.relay.partitions, relayRate, ceiling, share: relayRate / ceiling, relay, perf, probe };
}

/**
 * @param {import('./main.mjs').Ctx} ctx
 * @param {number} rows
 * @param {object} payload
 */
async function relayRun(ctx, rows, payload) {
  const admin = ctx.kafka.admin();
  await admin.connect();
  try {
    const topic = BENCH_TOPICS.relay.topic;
    const start = await topicEnds(admin, [topic]);
    await ctx.db.users.query(
      `INSERT INTO outbox_messages (topic, message_key, payload, headers)
       SELECT $1, md5(random()::text || g::text), $2::jsonb, '{}'::jsonb FROM generate_series(1, $3) g`,
      [topic, JSON.stringify(payload), rows],
    );
    // Wake the relay now rather than wait for its 1 s poll: a sign-up's commit wakes it at once,
    // and it publishes in id order (these rows first). Timed from that answer to the last arrival.
    const meter = ctx.meter();
    meter.start();
    await ctx.createUserDirect('relay-wake');
    const t0 = performance.now();
    const atWake = (await topicEnds(admin, [topic])) - start;
    let last = 0;
    const deadline = Date.now() + 120000;
    for (;;) {
      const n = (await topicEnds(admin, [topic])) - start;
      if (n >= rows) {
        last = performance.now();
        break;
      }
      if (Date.now() > deadline) throw new Error(`the relay published ${n} of ${rows} rows in 120 s`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const cpu = meter.stop();
    const seconds = (last - t0) / 1000;
    // Events already out when the clock started (the relay's own poll may have begun): not counted.
    const rate = (rows - atWake) / Math.max(seconds, 1e-3);
    return { rows, seconds, rate, atWake, cpu };
  } finally {
    await admin.disconnect();
  }
}
