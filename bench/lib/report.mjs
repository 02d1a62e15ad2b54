// The report: every figure next to its target and the machine it ran on (markdown), plus the raw
// JSON of the run. A `before.json` beside the report (a run measured before the fixes) adds a
// before → after column; `bench/findings.md` (profiling notes, design limits) is appended as is.
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../infra/local/profiles.mjs';
import { median } from './stats.mjs';

export const TARGETS = {
  getShare: { min: 0.6, text: '≥ 60 % of direct' },
  postShare: { min: 0.85, text: '≥ 85 % of direct' },
  addedP50: { max: 1, text: '≤ 1 ms' },
  addedP99: { max: 3, text: '≤ 3 ms' },
  vsNginx: { max: 1.5, text: '≤ 1.5 × nginx' },
  chainP50: { max: 50, text: '≤ 50 ms' },
  chainP99: { max: 150, text: '≤ 150 ms' },
  chainsPerSec: { min: 300, text: '≥ 300 /s, zero loss' },
  relayShare: { min: 0.2, text: '≥ 20 % of ceiling' },
  idleRss: { max: 150, text: '≤ 150 MB' },
  idleCpu: { max: 1, text: '≤ 1 %' },
  roundTrips: { max: 10, text: '≤ 10' },
  coldStart: { max: 3000, text: '≤ 3 s' },
};

/**
 * Figures the summary table and the before/after comparison share: [id, label, value, unit, target key].
 * @param {any} r a run's JSON
 */
export function figures(r) {
  const s = r.sections ?? {};
  const out = [];
  const g = s.gateway;
  for (const [key, label, share] of [['getUser', 'GET /api/users/:id', 'getShare'], ['postOrder', 'POST /api/orders', 'postShare']]) {
    const e = g?.[key];
    if (!e) continue;
    out.push([`${key}.share`, `${label}: gateway throughput ÷ direct`, e.gatewayShare, 'ratio', share]);
    out.push([`${key}.addedP50`, `${label}: added p50 at ${e.fixedRate} req/s`, e.gatewayAddedP50, 'ms', 'addedP50']);
    out.push([`${key}.addedP99`, `${label}: added p99 at ${e.fixedRate} req/s`, e.gatewayAddedP99, 'ms', 'addedP99']);
    if (e.lowRate !== undefined) {
      out.push([`${key}.addedP50Low`, `${label}: added p50 at ${e.lowRate} req/s (${Math.round(100 * (r.config?.lowFixedRateShare ?? 0))} % of direct)`, e.gatewayAddedP50Low, 'ms', 'addedP50']);
      out.push([`${key}.addedP99Low`, `${label}: added p99 at ${e.lowRate} req/s (${Math.round(100 * (r.config?.lowFixedRateShare ?? 0))} % of direct)`, e.gatewayAddedP99Low, 'ms', 'addedP99']);
    }
    if (e.nginxAddedP50 !== undefined) {
      out.push([`${key}.vsNginxP50`, `${label}: gateway added p50 ÷ nginx added p50`, ratioOfCosts(e.gatewayAddedP50, e.nginxAddedP50), '×', 'vsNginx']);
      out.push([`${key}.vsNginxThroughput`, `${label}: gateway throughput lost ÷ nginx throughput lost`, ratioOfCosts(1 - e.gatewayShare, 1 - e.nginxShare), '×', 'vsNginx']);
    }
  }
  const c = s.chain;
  if (c) {
    out.push(['chain.lowP50', `chain p50 at ${r.config?.lowRate}/s`, c.low.p50, 'ms', 'chainP50']);
    out.push(['chain.lowP99', `chain p99 at ${r.config?.lowRate}/s`, c.low.p99, 'ms', 'chainP99']);
    out.push(['chain.halfP50', `chain p50 at ${c.half.rate}/s (50 % of max)`, c.half.p50, 'ms', 'chainP50']);
    out.push(['chain.halfP99', `chain p99 at ${c.half.rate}/s (50 % of max)`, c.half.p99, 'ms', 'chainP99']);
    out.push(['chain.throughput', 'complete chains/s, steady, zero loss (sign-ups through the gateway)', c.throughput.best, '/s', 'chainsPerSec']);
    out.push(['chain.pipeline', 'event pipeline alone (user.created → paid), chains/s', c.pipeline.rate, '/s', 'chainsPerSec']);
  } else if (s.pipeline) {
    out.push(['chain.pipeline', 'event pipeline alone (user.created → paid), chains/s', s.pipeline.rate, '/s', 'chainsPerSec']);
  }
  const pl = c?.pipeline ?? s.pipeline;
  if (pl?.tripsPerChain != null) out.push(['pipeline.trips', 'PostgreSQL round trips per chain (event pipeline alone)', pl.tripsPerChain, 'n', 'roundTrips']);
  if (pl?.cpuMsPerChain != null) out.push(['pipeline.cpu', 'CPU per chain, every process (event pipeline alone)', pl.cpuMsPerChain, 'ms', '']);
  if (s.idle) {
    for (const name of ['gateway', 'users', 'orders', 'payments']) {
      const pct = s.idle.cpuPct[name];
      if (pct !== undefined) out.push([`idle.${name}`, `idle CPU ${name} (nothing to consume or relay, ${Math.round(s.idle.seconds)} s)`, pct, '%', 'idleCpu']);
    }
  }
  const p = s.producer;
  if (p) out.push(['producer.share', `outbox relay events/s ÷ ProducerPerformance (${Math.round(p.relayRate)} ÷ ${Math.round(p.ceiling)})`, p.share, 'ratio', 'relayShare']);
  const f = s.footprint;
  if (f) {
    for (const [name, mb] of Object.entries(f.idleRss)) out.push([`rss.${name}`, `idle RSS ${name}`, mb, 'MB', 'idleRss']);
    for (const [name, c2] of Object.entries(f.cold)) out.push([`cold.${name}`, `${name} ready after spawn (deps up)`, c2.medianMs, 'ms', 'coldStart']);
    out.push(['stack.whole', 'whole stack, start to ready (Kafka, 3 × PostgreSQL, 4 apps)', f.stackStart.wholeStackMs, 'ms', '']);
  }
  return out;
}

/** Gateway cost ÷ nginx cost, where nginx's cost may be ~0 (or below the noise): clamp it at a floor. */
function ratioOfCosts(ours, theirs) {
  const floor = 0.02; // 20 µs, or 2 % of throughput: below that the difference is noise
  return Math.max(ours, 0) / Math.max(theirs, floor);
}

function verdict(value, key) {
  const t = TARGETS[key];
  if (!t || !Number.isFinite(value)) return '—';
  if (t.min !== undefined) return value >= t.min ? '✅ met' : '❌ missed';
  return value <= t.max ? '✅ met' : '❌ missed';
}

const num = (v, unit) => {
  if (v === undefined || v === null || Number.isNaN(v)) return 'n/a';
  if (unit === 'ratio') return `${(v * 100).toFixed(0)} %`;
  if (unit === '×') return `${v.toFixed(1)} ×`;
  if (unit === 'ms') return Math.abs(v) >= 1000 ? `${(v / 1000).toFixed(2)} s` : Math.abs(v) < 10 ? `${v.toFixed(2)} ms` : `${v.toFixed(0)} ms`;
  if (unit === 'MB') return `${v.toFixed(0)} MB`;
  if (unit === '/s') return `${v.toFixed(0)} /s`;
  if (unit === '%') return `${v.toFixed(2)} %`;
  if (unit === 'n') return v.toFixed(1);
  return String(v);
};
const f1 = (v, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');

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
  fs.writeFileSync(latestJson, JSON.stringify(stripRuns(r), null, 1));
  const beforeFile = path.join(opts.outDir, 'before.json');
  const before = fs.existsSync(beforeFile) && !opts.smoke ? JSON.parse(fs.readFileSync(beforeFile, 'utf8')) : undefined;
  const findingsFile = path.join(REPO_ROOT, 'bench', 'findings.md');
  const findings = fs.existsSync(findingsFile) && !opts.smoke ? fs.readFileSync(findingsFile, 'utf8') : '';
  const markdown = path.join(opts.outDir, `${name}.md`);
  fs.writeFileSync(markdown, render(r, before, findings, path.relative(REPO_ROOT, json)));
  return { markdown, json };
}

/** The committed latest.json keeps summaries, not every sample. */
function stripRuns(r) {
  return JSON.parse(JSON.stringify(r, (k, v) => (k === 'samples' ? undefined : v)));
}

function render(r, before, findings, rawPath) {
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

  L.push('## Every figure next to its target');
  L.push('');
  const bf = before ? Object.fromEntries(figures(before).map((f) => [f[0], f[2]])) : {};
  L.push(before ? `| figure | measured | before the fixes (${before.startedAt.slice(0, 10)}, \`${before.commit}\`) | target | |` : '| figure | measured | target | |');
  L.push(before ? '|---|---:|---:|---|---|' : '|---|---:|---|---|');
  for (const [id, label, value, unit, key] of figures(r)) {
    const cells = [label, `**${num(value, unit)}**`];
    if (before) cells.push(bf[id] === undefined ? '—' : num(bf[id], unit));
    cells.push(TARGETS[key]?.text ?? '', verdict(value, key));
    L.push(`| ${cells.join(' | ')} |`);
  }
  L.push('');

  const s = r.sections;
  if (s.gateway) renderGateway(L, s.gateway, r);
  if (s.chain) renderChain(L, s.chain, r);
  if (s.producer) renderProducer(L, s.producer);
  if (s.footprint) renderFootprint(L, s.footprint, r);
  if (findings.trim()) {
    L.push(findings.trim());
    L.push('');
  }
  L.push('---');
  L.push(`Raw data of this run: \`${rawPath}\` (every sample; \`latest.json\` beside this report is the same run without the samples).`);
  L.push('');
  return L.join('\n');
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
    (c.pipeline.tripsPerChain != null ? `, ${f1(c.pipeline.tripsPerChain, 1)} PostgreSQL round trips (statements counted by pg_stat_statements).` : '.'));
  L.push('');
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
  L.push('| app | idle RSS | peak RSS under load | ready after spawn (deps up), runs | median |');
  L.push('|---|---:|---:|---|---:|');
  for (const name of ['gateway', 'users', 'orders', 'payments']) {
    const cold = f.cold[name];
    L.push(`| ${name} | ${f1(f.idleRss[name], 0)} MB | ${f1(f.loadRss[name], 0)} MB | ${cold ? cold.runs.map((x) => (x / 1000).toFixed(2) + ' s').join(', ') : 'not restarted (found running)'} | ${cold ? (cold.medianMs / 1000).toFixed(2) + ' s' : 'n/a'} |`);
  }
  L.push('');
  const st = f.stackStart;
  const runs = st.runs ?? [st];
  L.push(`Whole stack, start to ready: **${(st.wholeStackMs / 1000).toFixed(1)} s** (median of ${runs.length}: ${runs.map((x) => (x.wholeStackMs / 1000).toFixed(1) + ' s').join(', ')}) — ` +
    `Kafka and PostgreSQL ${(st.infraMs / 1000).toFixed(1)} s (${st.infraStarted.length ? `started: ${st.infraStarted.join(', ')}` : 'reused: already running'}), ` +
    `then the four apps in parallel ${(st.appsMs / 1000).toFixed(1)} s (first run: ${Object.entries(st.readyMs).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')}; ` +
    `started here: ${st.appsStartedHere.join(', ') || 'none'}). On 2 cores the four apps starting together contend for the CPU, so each is slower than alone (table above).`);
  L.push('');
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
