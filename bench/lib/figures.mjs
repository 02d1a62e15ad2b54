// The figures of the report, computed from a run's per-run records (never from the summaries the
// sections also store), so that `npm run bench -- --check` can recompute every one of them from the
// committed JSON. Pure: node built-ins only (the check runs in `npm test` before the bench's own
// dependencies are installed).
import { median, percentile } from './stats.mjs';

/** Issue 14's targets. `min`/`max` decide met/missed; a figure without a key has no target. */
export const TARGETS = {
  share: { min: 0.9, text: '≥ 90 % of direct' },
  addedP50: { max: 0.5, text: '≤ 0.5 ms' },
  addedP99: { max: 2, text: '≤ 2 ms' },
  proxyCpuVsNginx: { max: 3, text: '≤ 3 × nginx' },
  usersCpuPerGet: { max: 0.6, text: '≤ 0.6 ms' },
  ordersCpuPerPost: { max: 2.5, text: '≤ 2.5 ms' },
  pipeline: { min: 600, text: '≥ 600 /s, zero loss' },
  pgRoundTrips: { max: 10, text: '≤ 10' },
  chainP50: { max: 18, text: '≤ 18 ms' },
  chainP99: { max: 40, text: '≤ 40 ms' },
  tracingShare: { max: 0.15, text: '≤ 15 %' },
  authCpu: { max: 0.1, text: '≤ 0.1 ms' },
  idleCpu: { max: 1, text: '≤ 1 % of a core' },
  idleRss: { max: 100, text: '≤ 100 MB' },
  coldStart: { max: 2000, text: '≤ 2 s' },
};

/** The apps' process groups, and PostgreSQL's, in the CPU meters (see makeCtx's groups()). */
const APP_GROUPS = ['gateway', 'users', 'orders', 'payments'];
const PG_GROUPS = ['pg-users', 'pg-orders', 'pg-payments'];

/**
 * @typedef {{
 *   id: string, label: string, value: number | undefined, unit: string, target?: string,
 *   cpu?: string, why?: string,
 * }} Figure value undefined: not measured (why says why, when known)
 */

/** Latency percentile of one open-loop or chain run: from its samples when it kept them. */
function runPct(run, p) {
  const samples = run.okMs ?? run.latMs;
  if (Array.isArray(samples)) return percentile([...samples].sort((a, b) => a - b), p);
  return p === 50 ? run.p50 : run.p99;
}

/** µs of CPU per answered request of one group, median over runs (undefined when not metered). */
export function cpuUsPerRequest(runs, group) {
  if (!runs?.length || !runs[0].cpu?.groups?.[group]) return undefined;
  return median(runs.map((x) => (1e6 * (x.cpu.groups[group]?.cpuSec ?? NaN)) / Math.max(1, x.ok)));
}

/** Median over rounds of (route − direct) in the same round. */
function addedLatency(runs, route, p) {
  if (!runs?.[route]?.length || !runs.direct?.length) return undefined;
  return median(runs[route].map((x, i) => runPct(x, p) - runPct(runs.direct[i], p)));
}

const ms = (us) => (us === undefined ? undefined : us / 1000);
const fmtMs = (v) => (Number.isFinite(v) ? (v >= 10 ? v.toFixed(1) : v.toFixed(2)) : 'n/a');

/** "gateway 2.79 · users 2.38 · pg-users 0.39 ms per request" from µs per request of groups. */
function cpuNote(runs, groups, per = 'request') {
  const parts = groups.map((g) => [g, cpuUsPerRequest(runs, g)]).filter(([, v]) => Number.isFinite(v));
  if (!parts.length) return undefined;
  return `${parts.map(([g, v]) => `${g} ${fmtMs(v / 1000)}`).join(' · ')} ms per ${per}`;
}

/** CPU per completed chain of chain or pipeline runs, ms: apps · PostgreSQL · Kafka (medians). */
export function cpuPerChain(runs) {
  if (!runs?.length || !runs[0].cpu?.groups) return undefined;
  const per = (names) =>
    median(runs.map((x) => (1000 * names.reduce((n, g) => n + (x.cpu.groups[g]?.cpuSec ?? 0), 0)) / Math.max(1, x.completed)));
  return { apps: per(APP_GROUPS), pg: per(PG_GROUPS), kafka: per(['kafka']) };
}
const chainCpuNote = (runs) => {
  const c = cpuPerChain(runs);
  return c && `apps ${fmtMs(c.apps)} · PostgreSQL ${fmtMs(c.pg)} · Kafka ${fmtMs(c.kafka)} ms per chain`;
};

/** A pipeline run's chains/s: every event must have become a paid order (zero loss), else 0. */
const pipelineRate = (x) => (x.completed === x.injected ? x.completed / x.seconds : 0);

/**
 * Every figure of a run, in report order.
 * @param {any} r a run's JSON (latest.json, before.json)
 * @returns {Figure[]}
 */
export function figures(r) {
  const s = r.sections ?? {};
  /** @type {Figure[]} */
  const out = [];
  const add = (id, label, value, unit, target, extra = {}) =>
    out.push({ id, label, value: Number.isFinite(value) ? value : undefined, unit, target, ...extra });
  const lowShare = Math.round(100 * (r.config?.lowFixedRateShare ?? 0.1));

  for (const [key, label, svc] of [['getUser', 'GET /api/users/:id', 'users'], ['postOrder', 'POST /api/orders', 'orders']]) {
    const e = s.gateway?.[key];
    const runs = e?.runs;
    const maxOf = (route) => median((runs?.max?.[route] ?? []).map((x) => x.rps));
    add(`${key}.share`, `${label}: gateway ÷ direct, max throughput`, maxOf('gateway') / maxOf('direct'), 'ratio', 'share', {
      cpu: cpuNote(runs?.fixed?.gateway, ['gateway', svc, `pg-${svc}`]),
    });
    const lowRate = e?.lowRate;
    const why = runs && !runs.low ? 'this run had no low-rate runs' : undefined;
    add(`${key}.addedP50Low`, `${label}: gateway added p50 at 10 % of direct max${lowRate ? ` (${lowRate} req/s)` : ''}`,
      addedLatency(runs?.low, 'gateway', 50), 'ms', 'addedP50', { cpu: cpuNote(runs?.low?.gateway, ['gateway']), why });
    add(`${key}.addedP99Low`, `${label}: gateway added p99 at 10 % of direct max${lowRate ? ` (${lowRate} req/s)` : ''}`,
      addedLatency(runs?.low, 'gateway', 99), 'ms', 'addedP99', { why });
    const gw = cpuUsPerRequest(runs?.fixed?.gateway, 'gateway');
    const ng = cpuUsPerRequest(runs?.fixed?.nginx, 'nginx');
    add(`${key}.proxyCpu`, `${label}: gateway CPU per proxied request ÷ nginx's`, gw / ng, '×', 'proxyCpuVsNginx', {
      cpu: Number.isFinite(gw) && Number.isFinite(ng) ? `gateway ${fmtMs(gw / 1000)} · nginx ${fmtMs(ng / 1000)} ms per request` : undefined,
      why: runs && !runs.fixed?.nginx ? 'nginx was not run' : undefined,
    });
    add(`${key}.serviceCpu`, key === 'getUser' ? 'user-service CPU per GET by id (direct)' : 'order-service CPU per POST order (direct)',
      ms(cpuUsPerRequest(runs?.fixed?.direct, svc)), 'ms', key === 'getUser' ? 'usersCpuPerGet' : 'ordersCpuPerPost', {
        cpu: cpuNote(runs?.fixed?.direct, [svc, `pg-${svc}`, ...(svc === 'orders' ? ['payments', 'pg-payments'] : [])]),
      });
  }

  const c = s.chain;
  const pr = c?.pipeline?.runs ?? [];
  const anyWhole = pr.some((x) => x.completed === x.injected);
  add('chain.pipeline', 'event pipeline alone (user.created → paid), chains/s, steady, zero loss',
    anyWhole ? median(pr.map(pipelineRate)) : undefined, '/s', 'pipeline', {
      cpu: chainCpuNote(pr),
      why: pr.length && !anyWhole ? `no run completed every chain (${pr.map((x) => `${x.completed}/${x.injected}`).join(', ')})` : undefined,
    });
  // Statements per run: `pg` (per database) in runs of 2026-11-30, `statements` since.
  const statementsOf = (x) => x.pg?.statements ?? (Number.isFinite(x.statements) ? x.statements : undefined);
  const trips = pr.filter((x) => statementsOf(x) !== undefined);
  const byDb = trips.every((x) => x.pg?.byDb);
  add('chain.pgRoundTrips', 'PostgreSQL round trips per chain (statements, pipeline runs)',
    trips.length ? median(trips.map((x) => statementsOf(x) / Math.max(1, x.completed))) : undefined, '', 'pgRoundTrips', {
      cpu: trips.length && byDb ? `${['users', 'orders', 'payments'].map((d) => `${d} ${median(trips.map((x) => (x.pg.byDb[d] ?? 0) / Math.max(1, x.completed))).toFixed(1)}`).join(' · ')} per chain` : undefined,
      why: pr.length && !trips.length ? (pr[0].pg?.skipped ?? 'pg_stat_statements was not read') : undefined,
    });
  const low = c?.low?.runs ?? [];
  add('chain.lowP50', `sign-up → paid p50 at ${r.config?.lowRate ?? 10}/s`, low.length ? median(low.map((x) => runPct(x, 50))) : undefined, 'ms', 'chainP50', { cpu: chainCpuNote(low) });
  add('chain.lowP99', `sign-up → paid p99 at ${r.config?.lowRate ?? 10}/s`, low.length ? median(low.map((x) => runPct(x, 99))) : undefined, 'ms', 'chainP99');

  const t = s.tracing;
  const reqCpu = (cfg) => (t?.runs?.[cfg]?.length ? median(t.runs[cfg].map((x) => (1e6 * ['gateway', 'users'].reduce((n, g) => n + x.cpu.groups[g].cpuSec, 0)) / Math.max(1, x.ok))) : undefined);
  const off = reqCpu('off');
  for (const [cfg, label] of [['on', 'every request sampled'], ['ratio10', '10 % sampled']]) {
    const on = reqCpu(cfg);
    add(`tracing.${cfg}`, `tracing on (${label}): share of request CPU, GET /api/users/:id via gateway`, on !== undefined && off !== undefined ? 1 - off / on : undefined, 'ratio',
      cfg === 'on' ? 'tracingShare' : undefined, {
        cpu: on !== undefined && off !== undefined ? `gateway + users ${fmtMs(on / 1000)} ms per request, ${fmtMs(off / 1000)} with OTEL_SDK_DISABLED` : undefined,
        why: t?.skipped,
      });
  }
  const a = s.auth;
  const gwCpu = (cfg) => cpuUsPerRequest(a?.runs?.[cfg], 'gateway');
  add('auth.addedCpu', 'gateway CPU added by AUTH_ENABLED=true (GET /api/users/:id)', ms(gwCpu('on') - gwCpu('off')), 'ms', 'authCpu', {
    cpu: a?.runs ? `gateway ${fmtMs(ms(gwCpu('on')))} ms per request with auth, ${fmtMs(ms(gwCpu('off')))} without` : undefined,
    why: a?.skipped,
  });

  const f = s.footprint;
  for (const name of APP_GROUPS) {
    // Windows in the footprint section (runs of 2026-11-30), the idle section's one window since.
    const idle = f?.idle?.runs;
    const value = idle?.length ? median(idle.map((x) => (100 * x.groups[name].cpuSec) / x.seconds)) : s.idle?.cpuPct?.[name];
    add(`idleCpu.${name}`, `idle CPU ${name}`, value, '%', 'idleCpu');
  }
  // Idle RSS is read at the end of the idle section's 30 s with nothing to do: what an idle app holds
  // (an app gives its young generation back after two idle seconds). Runs before 2026-12-01 read it
  // only 2 s after the warm-up's last chain, which is kept below, without a target.
  const idleWindow = s.idle?.rssAfterMb;
  for (const name of APP_GROUPS) {
    add(`rss.${name}`, `idle RSS ${name} (after 30 s idle)`, idleWindow?.[name], 'MB', 'idleRss', {
      why: idleWindow ? undefined : 'this run read RSS only 2 s after its load',
    });
  }
  for (const name of APP_GROUPS) add(`cold.${name}`, `${name} ready after spawn (deps up)`, f?.cold?.[name] ? median(f.cold[name].runs) : undefined, 'ms', 'coldStart');

  out.push({ id: 'comparable', label: 'every figure of the comparable implementation (issue 14), with tracing on', value: undefined, unit: '',
    target: undefined, why: 'that implementation is not in this repository' });

  // Figures without a target of their own, kept for comparison with earlier runs.
  for (const name of APP_GROUPS) add(`rssAfterLoad.${name}`, `RSS ${name} 2 s after load`, f?.idleRss?.[name], 'MB', undefined);
  const best = c?.throughput?.best;
  add('chain.throughput', 'sign-ups through the gateway → paid, chains/s, steady, zero loss', best || undefined, '/s', undefined, {
    cpu: chainCpuNote((c?.throughput?.confirm ?? []).filter(Boolean)),
    why: c?.throughput && !best ? 'no step of the search was steady' : undefined,
  });
  const p = s.producer;
  add('producer.share', 'outbox relay events/s ÷ ProducerPerformance records/s',
    p ? median(p.relay.map((x) => (x.rows - x.atWake) / Math.max(x.seconds, 1e-3))) / median(p.perf.map((x) => x.perSec)) : undefined, 'ratio');
  add('stack.whole', 'whole stack, start to ready (Kafka, 3 × PostgreSQL, 4 apps)',
    f?.stackStart ? median((f.stackStart.runs ?? [f.stackStart]).map((x) => x.wholeStackMs)) : undefined, 'ms');
  return out;
}

/** A figure's value as the report prints it. */
export function formatValue(v, unit) {
  if (v === undefined || v === null || !Number.isFinite(v)) return '—, not measured';
  if (unit === 'ratio') return `${(v * 100).toFixed(0)} %`;
  if (unit === '×') return `${v.toFixed(1)} ×`;
  if (unit === 'ms') return Math.abs(v) >= 1000 ? `${(v / 1000).toFixed(2)} s` : Math.abs(v) < 10 ? `${v.toFixed(2)} ms` : `${v.toFixed(0)} ms`;
  if (unit === 'MB') return `${v.toFixed(0)} MB`;
  if (unit === '/s') return `${v.toFixed(0)} /s`;
  if (unit === '%') return `${v.toFixed(1)} %`;
  return v.toFixed(1);
}

/** met / missed against the figure's target; '—' without a target or a value. */
export function verdict(value, key) {
  const t = key ? TARGETS[key] : undefined;
  if (!t || value === undefined || !Number.isFinite(value)) return '—';
  if (t.min !== undefined) return value >= t.min ? '✅ met' : '❌ missed';
  return value <= t.max ? '✅ met' : '❌ missed';
}
