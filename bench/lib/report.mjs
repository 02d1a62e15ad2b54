// The report: every figure next to its target and the machine it ran on (markdown), rendered from
// the run's JSON as written (`latest.json`, committed: per-run records and the latency samples the
// percentiles come from), so that `npm run bench -- --check` can render it again and compare. A
// `before.json` beside the report (an earlier run) adds a before column; `bench/findings.md`
// (profiling notes, design limits) is appended as is, between markers the check skips.
// Pure but for writeReport: node built-ins only (the check runs in `npm test`).
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../infra/local/profiles.mjs';
import { TARGETS, figures, formatValue, verdict } from './figures.mjs';
import { median } from './stats.mjs';

const f1 = (v, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');

export const FINDINGS_START = '<!-- bench/findings.md as it was when the report was written (not checked) -->';
export const FINDINGS_END = '<!-- end of bench/findings.md -->';

/**
 * @param {any} r
 * @param {{ outDir: string, rawDir: string, smoke: boolean }} opts
 */
export function writeReport(r, opts) {
  fs.mkdirSync(opts.rawDir, { recursive: true });
  const stamp = r.startedAt.replace(/[:.]/g, '-');
  const json = path.join(opts.rawDir, `${stamp}-${r.mode}.json`);
  fs.writeFileSync(json, JSON.stringify(r, null, 1));
  // A partial run (--only) has a report of its own: the full report stays whole.
  // A run that measured nothing leaves the last good report in place too.
  const name = r.errors.setup ? 'failed' : opts.only ? `only-${opts.only.join('-')}` : 'latest';
  const latestJson = path.join(opts.outDir, `${name}.json`);
  const raw = toRaw(r);
  fs.writeFileSync(latestJson, `${JSON.stringify(raw)}\n`);
  const beforeFile = path.join(opts.outDir, 'before.json');
  const before = fs.existsSync(beforeFile) && !opts.smoke ? JSON.parse(fs.readFileSync(beforeFile, 'utf8')) : undefined;
  const findingsFile = path.join(REPO_ROOT, 'bench', 'findings.md');
  const findings = fs.existsSync(findingsFile) && !opts.smoke ? fs.readFileSync(findingsFile, 'utf8') : '';
  const markdown = path.join(opts.outDir, `${name}.md`);
  // Rendered from what was written (rounded), exactly as the check renders it again.
  fs.writeFileSync(markdown, render(JSON.parse(JSON.stringify(raw)), before, findings, `${name}.json`));
  return { markdown, json: latestJson, archive: json };
}

/**
 * What the committed JSON keeps: every per-run record, numbers rounded to 3 decimals (µs for
 * milliseconds), without the per-request sample objects of the load generator (the latency samples
 * a figure's percentiles come from are kept as plain arrays: okMs, latMs).
 * @param {any} r
 */
export function toRaw(r) {
  return JSON.parse(JSON.stringify(r, (k, v) => (k === 'samples' ? undefined : typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1000) / 1000 : v)));
}

/**
 * The report, from a run's JSON (and an earlier run's, for the before column).
 * @param {any} r
 * @param {any} before
 * @param {string} findings
 * @param {string} jsonName the JSON file beside the report
 */
export function render(r, before, findings, jsonName) {
  const L = [];
  const m = r.machine;
  L.push(`# nest-ms benchmark`);
  L.push('');
  L.push(`Measured ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC by \`npm run bench\` (${r.mode} run, ${(r.totalSeconds / 60).toFixed(1)} min, commit \`${r.commit}\`, profile \`${r.profile}\`).`);
  L.push('Each figure is the median of ' + (r.config.rounds ?? 1) + ' runs, alternating between the things compared; CPU is read from `/proc/<pid>/stat` for every process.');
  L.push('');
  L.push('| machine | |');
  L.push('|---|---|');
  L.push(`| CPU | ${m.cpu}, **${m.cores} cores** |`);
  L.push(`| memory | ${m.memoryGb} GB |`);
  L.push(`| OS | ${m.kernel} |`);
  L.push(`| runtimes | Node ${m.node}; ${m.java}; Kafka ${r.tools?.kafka} |`);
  L.push(`| load generators | ${r.tools?.wrk ? 'wrk (maximum runs), ' : 'autocannon (maximum runs; wrk not installed), '}open-loop undici client (fixed-rate runs) |`);
  L.push(`| nginx | ${r.nginx?.version ? `${r.nginx.version}, 1 worker, upstream keep-alive 64` : `skipped: ${r.nginx?.skipped}`} |`);
  L.push(`| load average at start | ${m.loadAverage.join(', ')} |`);
  const other = otherCpu(r);
  if (Number.isFinite(other)) L.push(`| CPU used by other processes during the runs | median ${other.toFixed(2)} cores of ${m.cores} (not ours: a shared box is noisy) |`);
  L.push('');
  const errs = Object.entries(r.errors ?? {});
  if (errs.length) {
    L.push('## Could not measure');
    for (const [k, v] of errs) L.push(`- **${k}**: ${String(v).split('\n')[0]}`);
    L.push('');
  }
  L.push(...figureTable(r, before));
  L.push('');
  const s = r.sections;
  if (s.gateway) renderGateway(L, s.gateway, r);
  if (s.chain) renderChain(L, s.chain, r);
  if (s.producer) renderProducer(L, s.producer);
  if (s.footprint) renderFootprint(L, s.footprint, r);
  if (s.tracing || s.auth) renderOptions(L, s.tracing, s.auth, r);
  if (findings.trim()) {
    L.push(FINDINGS_START);
    L.push(findings.trim());
    L.push(FINDINGS_END);
    L.push('');
  }
  L.push('---');
  L.push(`Data of this run: \`${jsonName}\` beside this report (every per-run record, and the latency samples the percentiles of the targets come from); \`npm run bench -- --check\` computes this report again from it and names any figure that differs.`);
  L.push('');
  return L.join('\n');
}

export const FIGURE_TABLE_TITLE = '## Every figure next to its target';

/**
 * The summary table: issue 14's targets, each with its value, the CPU behind it, the earlier run's
 * value when that run measured it, the target and the verdict.
 */
export function figureTable(r, before) {
  const L = [FIGURE_TABLE_TITLE, ''];
  const bf = before ? Object.fromEntries(figures(before).map((f) => [f.id, f])) : {};
  L.push(`| figure | measured | CPU behind it | ${before ? `before (${before.startedAt.slice(0, 10)}, \`${before.commit}\`) | ` : ''}target | |`);
  L.push(`|---|---:|---|${before ? '---:|' : ''}---|---|`);
  for (const f of figures(r)) {
    const value = f.value === undefined ? `—, not measured${f.why ? `: ${f.why}` : ''}` : `**${formatValue(f.value, f.unit)}**`;
    const cells = [f.label, value, f.cpu ?? ''];
    if (before) cells.push(formatValue(bf[f.id]?.value, f.unit));
    cells.push(f.target ? TARGETS[f.target].text : 'no target', verdict(f.value, f.target));
    L.push(`| ${cells.join(' | ')} |`);
  }
  return L;
}

function renderGateway(L, g, r) {
  L.push('## 1. Gateway cost');
  L.push('');
  L.push('The same request straight to the service, through the gateway, and through nginx proxying the same service with upstream keep-alive. ' +
    `Maximum: closed loop, ${r.config.connections} connections, ${r.config.maxSeconds} s per run. ` +
    `Fixed rates: ${Math.round(r.config.fixedRateShare * 100)} % of the direct maximum (the target's rate) and ${Math.round((r.config.lowFixedRateShare ?? 0) * 100)} % (the hop's own cost, without queueing), open loop (evenly spaced sends), ${r.config.fixedSeconds} s per run; "added" is the median over rounds of (route − direct) in the same round.`);
  L.push('');
  for (const e of Object.values(g)) {
    L.push(`### ${e.name}`);
    L.push('');
    const lowCols = e.lowRate !== undefined;
    L.push('| route | max req/s | ÷ direct | p50 / p99 at max | p50 / p99 at ' + e.fixedRate + ' req/s | added p50 / p99 |' +
      (lowCols ? ` p50 / p99 at ${e.lowRate} req/s | added p50 / p99 |` : '') + ' CPU µs per request (proxy · service · its PostgreSQL) |');
    L.push(`|---|---:|---:|---:|---:|---:|${lowCols ? '---:|---:|' : ''}---|`);
    for (const [name, x] of Object.entries(e.routes)) {
      const addedP50 = name === 'direct' ? '—' : `${f1(name === 'gateway' ? e.gatewayAddedP50 : e.nginxAddedP50, 2)} / ${f1(name === 'gateway' ? e.gatewayAddedP99 : e.nginxAddedP99, 2)} ms`;
      const addedLow = name === 'direct' ? '—' : `${f1(name === 'gateway' ? e.gatewayAddedP50Low : e.nginxAddedP50Low, 2)} / ${f1(name === 'gateway' ? e.gatewayAddedP99Low : e.nginxAddedP99Low, 2)} ms`;
      const low = lowCols ? ` ${f1(x.lowP50, 2)} / ${f1(x.lowP99, 2)} ms | ${addedLow} |` : '';
      const svc = e.name.startsWith('GET') ? 'users' : 'orders';
      const proxy = name === 'gateway' ? x.cpuUsPerReq.gateway : name === 'nginx' ? x.cpuUsPerReq.nginx : 0;
      const cpu = `${f1(proxy, 0)} · ${f1(x.cpuUsPerReq[svc], 0)} · ${f1(x.cpuUsPerReq[`pg-${svc}`], 0)}`;
      L.push(`| ${name} | ${f1(x.maxRps, 0)} | ${f1((100 * x.maxRps) / e.routes.direct.maxRps, 0)} % | ${f1(x.maxP50, 2)} / ${f1(x.maxP99, 2)} ms | ${f1(x.fixedP50, 2)} / ${f1(x.fixedP99, 2)} ms | ${addedP50} |${low} ${cpu} |`);
    }
    L.push('');
    const cores = e.routes.gateway.cpuCoresAtMax;
    L.push(`CPU at the gateway maximum (cores): ${Object.entries(cores).filter(([, v]) => v >= 0.02).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}.`);
    const failures = Object.entries(e.routes).filter(([, x]) => x.failures).map(([k, x]) => `${k} ${x.failures}`);
    if (failures.length) L.push(`Failed requests (errors or non-2xx): ${failures.join(', ')}.`);
    L.push('');
  }
}

function renderChain(L, c, r) {
  L.push('## 2. Chain latency');
  L.push('');
  L.push('From `POST /api/users` returning (through the gateway) to the transaction that marks the welcome order `paid`; each hop from the rows\' own timestamps ' +
    '(welcome order written, payment written, order marked paid). Three Kafka hops: user.created, order.created, payment.completed.');
  L.push('');
  L.push('| rate | chains | p50 | p99 | hop 1: returned → welcome order | hop 2: order → payment | hop 3: payment → paid |');
  L.push('|---|---:|---:|---:|---:|---:|---:|');
  for (const [label, x] of [[`${r.config.lowRate}/s (low)`, c.low], [`${c.half.rate}/s (50 % of max)`, c.half]]) {
    const h = x.hops;
    L.push(`| ${label} | ${x.completed}/${x.sent} | ${f1(x.p50)} ms | ${f1(x.p99)} ms | ${f1(h.userToOrder.p50)} / ${f1(h.userToOrder.p99)} ms | ${f1(h.orderToPayment.p50)} / ${f1(h.orderToPayment.p99)} ms | ${f1(h.paymentToPaid.p50)} / ${f1(h.paymentToPaid.p99)} ms |`);
  }
  L.push('');
  const perHop = c.low.p50 / 3;
  L.push(`Kafka's own \`EndToEndLatency\` on the same broker (acks=all, ${r.config.e2eMessages} messages of the size of our events, one at a time), alternating with the low-rate runs: ` +
    `**p50 ${f1(c.low.kafkaP50, 1)} ms, p99 ${f1(c.low.kafkaP99, 1)} ms**. ` +
    `Our chain at the low rate is ${f1(perHop, 1)} ms per Kafka hop at p50, **${f1(perHop / c.low.kafkaP50, 1)} ×** Kafka's produce→consume p50 ` +
    `(per hop: ${['userToOrder', 'orderToPayment', 'paymentToPaid'].map((k) => f1(c.low.hops[k].p50 / c.low.kafkaP50, 1) + ' ×').join(', ')}); a hop also commits a PostgreSQL transaction on each side.`);
  L.push('');
  L.push('## 3. Chain throughput');
  L.push('');
  L.push('Sign-ups at a fixed rate through the gateway; a step passes when every sign-up got 201, every chain ended `paid`, users = welcome orders = payments = paid orders, ' +
    'nothing was dead-lettered, the chain p50 of the last fifth of the run is within 250 ms of the first fifth, and everything drained within 2 s of the last sign-up.');
  L.push('');
  L.push('| rate | seconds | sign-ups 201 | chains paid | chain p50 / p99 | sign-up p50 / p99 | drained after | CPU (cores): gateway · users · orders · payments · PostgreSQL · Kafka · other | verdict |');
  L.push('|---:|---:|---:|---:|---:|---:|---:|---|---|');
  for (const st of [...c.throughput.steps, ...c.throughput.confirm.slice(1)]) {
    const cpu = st.cpu.groups;
    const pgc = ['pg-users', 'pg-orders', 'pg-payments'].reduce((n, k) => n + (cpu[k]?.cores ?? 0), 0);
    const cores = [cpu.gateway, cpu.users, cpu.orders, cpu.payments].map((x) => f1(x?.cores, 2)).join(' · ') + ` · ${f1(pgc, 2)} · ${f1(cpu.kafka?.cores, 2)} · ${f1(st.cpu.otherCores, 2)}`;
    L.push(`| ${st.rate}/s | ${st.seconds} | ${st.created}/${st.sent} | ${st.completed} | ${f1(st.p50, 0)} / ${f1(st.p99, 0)} ms | ${f1(st.postP50, 0)} / ${f1(st.postP99, 0)} ms | ${f1(st.drainMs, 0)} ms | ${cores} | ${st.pass ? 'steady' : st.reasons.join('; ')} |`);
  }
  L.push('');
  L.push(`**Highest steady rate: ${c.throughput.best}/s** (${c.throughput.confirmed ?? 0} of ${c.throughput.confirm.length} runs at that rate steady; counts reconciled in each).`);
  L.push('');
  const pr = c.pipeline.runs;
  L.push(`The event pipeline alone (no HTTP sign-up, no password hash): ${pr[0]?.injected} \`user.created\` events written straight to Kafka, timed until every welcome order was paid: ` +
    `**${f1(c.pipeline.rate, 0)} chains/s** (runs: ${pr.map((x) => `${f1(x.rate, 0)}/s${x.counts.reconciled ? '' : ' (counts off)'}`).join(', ')}); ` +
    `CPU in those runs (cores): ${cpuLine(pr)}.` +
    (c.pipeline.cpuMsPerChain != null ? ` Per chain: ${f1(c.pipeline.cpuMsPerChain, 2)} ms of CPU over every process` : '') +
    (c.pipeline.tripsPerChain != null ? `, ${f1(c.pipeline.tripsPerChain, 1)} PostgreSQL round trips (statements counted by pg_stat_statements).` : ''));
  L.push('');
  const counted = pr.filter((x) => x.pg?.statements !== undefined);
  if (counted.length) {
    L.push('PostgreSQL round trips in those runs: every statement the apps executed (their role\'s `calls` in `pg_stat_statements`, BEGIN and COMMIT included; the bench reads as a role of its own), ' +
      'from before the first event was written until every outbox was empty again (the idle polls meanwhile included):');
    L.push('');
    L.push('| run | chains | statements | per chain | user-service · order-service · payment-service databases, per chain |');
    L.push('|---|---:|---:|---:|---|');
    counted.forEach((x, i) => {
      const per = (d) => f1((x.pg.byDb[d] ?? 0) / Math.max(1, x.completed), 2);
      L.push(`| ${i + 1} | ${x.completed} | ${x.pg.statements} | ${f1(x.pg.statements / Math.max(1, x.completed), 2)} | ${per('users')} · ${per('orders')} · ${per('payments')} |`);
    });
    L.push('');
  } else if (pr[0]?.pg?.skipped) {
    L.push(`PostgreSQL round trips: not counted (${pr[0].pg.skipped}).`);
    L.push('');
  }
}

function cpuLine(runs) {
  const names = Object.keys(runs[0]?.cpu.groups ?? {});
  return names.map((n) => `${n} ${median(runs.map((x) => x.cpu.groups[n].cores)).toFixed(2)}`).filter((t) => !t.endsWith(' 0.00')).join(', ') + `, other ${median(runs.map((x) => x.cpu.otherCores)).toFixed(2)}`;
}

function renderProducer(L, p) {
  L.push('## 4. Producer ceiling');
  L.push('');
  L.push(`user-service's outbox relay publishing rows put straight into its outbox (topic with ${p.partitions} partitions, ${p.size}-byte events like \`user.created\`, acks=all, idempotent), ` +
    `counted as they arrive on the topic; next to \`ProducerPerformance\` with the same acks, record size and partitions.`);
  L.push('');
  L.push('| run | relay events/s | ProducerPerformance records/s | relay CPU (user-service · its PostgreSQL · Kafka, cores) |');
  L.push('|---|---:|---:|---|');
  p.relay.forEach((x, i) => {
    const g = x.cpu.groups;
    L.push(`| ${i + 1} | ${f1(x.rate, 0)} (${x.rows} in ${f1(x.seconds, 2)} s) | ${f1(p.perf[i]?.perSec, 0)} | ${f1(g.users?.cores, 2)} · ${f1(g['pg-users']?.cores, 2)} · ${f1(g.kafka?.cores, 2)} |`);
  });
  L.push(`| **median** | **${f1(p.relayRate, 0)}** | **${f1(p.ceiling, 0)}** | relay = **${f1(100 * p.share, 1)} %** of the ceiling |`);
  L.push('');
}

function renderFootprint(L, f, r) {
  L.push('## 5. Footprint');
  L.push('');
  const idleWindow = r.sections?.idle?.rssAfterMb;
  L.push('| app | RSS 2 s after load | RSS after 30 s idle | peak RSS under load | ready after spawn (deps up), runs | median |');
  L.push('|---|---:|---:|---:|---|---:|');
  for (const name of ['gateway', 'users', 'orders', 'payments']) {
    const cold = f.cold[name];
    L.push(`| ${name} | ${f1(f.idleRss[name], 0)} MB | ${idleWindow ? `${f1(idleWindow[name], 0)} MB` : 'not measured'} | ${f1(f.loadRss[name], 0)} MB | ${cold ? cold.runs.map((x) => (x / 1000).toFixed(2) + ' s').join(', ') : 'not restarted (found running)'} | ${cold ? (cold.medianMs / 1000).toFixed(2) + ' s' : 'n/a'} |`);
  }
  L.push('');
  const st = f.stackStart;
  const runs = st.runs ?? [st];
  L.push(`Whole stack, start to ready: **${(st.wholeStackMs / 1000).toFixed(1)} s** (median of ${runs.length}: ${runs.map((x) => (x.wholeStackMs / 1000).toFixed(1) + ' s').join(', ')}) — ` +
    `Kafka and PostgreSQL ${(st.infraMs / 1000).toFixed(1)} s (${st.infraStarted.length ? `started: ${st.infraStarted.join(', ')}` : 'reused: already running'}), ` +
    `then the four apps in parallel ${(st.appsMs / 1000).toFixed(1)} s (first run: ${Object.entries(st.readyMs).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')}; ` +
    `started here: ${st.appsStartedHere.join(', ') || 'none'}). On 2 cores the four apps starting together contend for the CPU, so each is slower than alone (table above).`);
  L.push('');
  const idle = f.idle?.runs;
  if (idle?.length) {
    L.push(`Idle CPU (% of one core), ${idle.length} windows of ${f1(idle[0].seconds, 1)} s with no request, consumers idle and every outbox empty (timers, polls, heartbeats):`);
    L.push('');
    const names = ['gateway', 'users', 'orders', 'payments', 'kafka', 'pg-users', 'pg-orders', 'pg-payments'];
    L.push(`| window | ${names.join(' | ')} |`);
    L.push(`|---|${names.map(() => '---:').join('|')}|`);
    idle.forEach((x, i) => L.push(`| ${i + 1} | ${names.map((n) => `${f1(100 * (x.groups[n]?.cores ?? NaN), 1)} %`).join(' | ')} |`));
    L.push('');
  }
}

function renderOptions(L, t, a, r) {
  L.push('## 6. What tracing and auth cost');
  L.push('');
  const x0 = t ?? a;
  L.push(x0?.fullSpeed
    ? `\`GET /api/users/:id\` through the gateway at full speed (closed loop, ${x0.connections} connections, ${x0.seconds} s per run), the apps restarted under each setting in turn (rounds alternating between settings), each run after ${x0.warmSeconds} s of the same load that is not counted (a just-started app is still compiling its hot code: after 2 s, every setting cost about twice what it does warm); ` +
      'CPU per answered request from `/proc`. Tracing: the gateway and user-service with every request sampled (`OTEL_TRACES_SAMPLER=parentbased_always_on`), ' +
      '10 % sampled (`parentbased_traceidratio`, `OTEL_TRACES_SAMPLER_ARG=0.1`) and the SDK not loaded (`OTEL_SDK_DISABLED=true`); its share of the request\'s CPU (gateway + user-service) is 1 − CPU(off) ÷ CPU(setting). ' +
      'Auth: the gateway with `AUTH_ENABLED=false` and `=true`, the same request with the same bearer token (a user reading themselves) in both.'
    : `\`GET /api/users/:id\` through the gateway at a fixed rate${x0?.warmSeconds ? ` of ${x0.rate} req/s for every setting (\`--option-rate\`: open loop, ${x0.seconds} s per run, after ${x0.warmSeconds} s at full speed that is not counted; at one rate the cheaper setting sleeps more between requests, where at full speed it batches more per wake-up)` : ''}, the apps restarted under each setting in turn (rounds alternating between settings, a warm-up at full speed before each measured run, as in section 1); ` +
    'CPU per answered request from `/proc`. Tracing: the gateway and user-service with every request sampled (`OTEL_TRACES_SAMPLER=parentbased_always_on`), ' +
    '10 % sampled (`parentbased_traceidratio`, `OTEL_TRACES_SAMPLER_ARG=0.1`) and the SDK not loaded (`OTEL_SDK_DISABLED=true`); its share of the request\'s CPU (gateway + user-service) is 1 − CPU(off) ÷ CPU(setting). ' +
    'Auth: the gateway with `AUTH_ENABLED=false` and `=true`, the same request with the same bearer token (a user reading themselves) in both.');
  L.push('');
  for (const [title, x, groups] of [['tracing', t, ['gateway', 'users', 'pg-users']], ['auth', a, ['gateway', 'users', 'pg-users']]]) {
    if (!x) continue;
    if (x.skipped) {
      L.push(`${title}: not measured (${x.skipped}).`);
      L.push('');
      continue;
    }
    L.push(`| ${title} setting | ${x.fullSpeed ? 'req/s of each run' : `runs at ${x.rate} req/s (answered/sent)`} | p50 / p99 | CPU µs per request: ${groups.join(' · ')} |`);
    L.push('|---|---|---|---|');
    for (const [name, runs] of Object.entries(x.runs)) {
      const per = (g) => f1(median(runs.map((y) => (1e6 * (y.cpu.groups[g]?.cpuSec ?? NaN)) / Math.max(1, y.ok))), 0);
      L.push(`| ${name}: ${Object.entries(x.settings[name]).map(([k, v]) => `${k}=${k === 'JWT_SECRET' ? '…' : v}`).join(' ')} | ${runs.map((y) => (x.fullSpeed ? f1(y.rps, 0) : `${y.ok}/${y.sent}`)).join(', ')} | ` +
        `${f1(median(runs.map((y) => y.p50)), 2)} / ${f1(median(runs.map((y) => y.p99)), 2)} ms | ${groups.map(per).join(' · ')} |`);
    }
    L.push('');
  }
}

function otherCpu(r) {
  const vals = [];
  const visit = (n) => {
    if (!n || typeof n !== 'object') return;
    if (typeof n.otherCores === 'number' && n.groups) return void vals.push(n.otherCores);
    for (const v of Array.isArray(n) ? n : Object.values(n)) visit(v);
  };
  visit(r.sections);
  return median(vals);
}
