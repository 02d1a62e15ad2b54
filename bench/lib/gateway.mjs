// 1. Gateway cost: the same two requests straight to the service, through the gateway, and through
// nginx (upstream keep-alive), at full speed and at fixed rates of ~40 % and ~10 % of the direct maximum.
import { closedLoop, openLoop } from './load.mjs';
import { median, medianOf } from './stats.mjs';

const ROUTES = ['direct', 'gateway', 'nginx'];

/**
 * @param {import('./main.mjs').Ctx} ctx
 */
export async function gatewayCost(ctx) {
  const { urls, log } = ctx;
  const headers = { 'x-api-key': ctx.apiKey, accept: 'application/json' };
  const user = await ctx.createUserDirect('gw');
  await ctx.waitChains([user.id], 30000); // order-service knows the user: no lookup per order
  const orderBody = JSON.stringify({ userId: user.id, items: [{ productId: 'product-bench-1', quantity: 2, price: 9.99 }] });
  const postHeaders = { ...headers, 'content-type': 'application/json' };

  const endpoints = [
    {
      name: 'GET /api/users/:id',
      key: 'getUser',
      routes: {
        direct: { method: 'GET', origin: urls.users, path: `/users/${user.id}`, headers },
        gateway: { method: 'GET', origin: urls.gateway, path: `/api/users/${user.id}`, headers },
        nginx: urls.nginx && { method: 'GET', origin: urls.nginx, path: `/api/users/${user.id}`, headers },
      },
      expect: 200,
    },
    {
      name: 'POST /api/orders',
      key: 'postOrder',
      routes: {
        direct: { method: 'POST', origin: urls.orders, path: '/orders', headers: postHeaders, body: orderBody },
        gateway: { method: 'POST', origin: urls.gateway, path: '/api/orders', headers: postHeaders, body: orderBody },
        nginx: urls.nginx && { method: 'POST', origin: urls.nginx, path: '/api/orders', headers: postHeaders, body: orderBody },
      },
      expect: 201,
      // Each order starts a payment: let that settle between runs so every run starts alike.
      settle: true,
    },
  ];

  const out = {};
  for (const ep of endpoints) {
    const routes = ROUTES.filter((r) => ep.routes[r]);
    for (const r of routes) await sanityCheck(ep, r);
    log(`${ep.name}: maximum (closed loop, ${ctx.cfg.connections} connections, ${ctx.cfg.maxSeconds} s × ${ctx.cfg.rounds} rounds per route)`);
    // Warm-up: JIT, pools and caches of every route before anything counts.
    if (ctx.cfg.warmSeconds > 0) {
      for (const r of routes) await closedLoop(target(ep.routes[r]), { connections: ctx.cfg.connections, seconds: ctx.cfg.warmSeconds, workDir: ctx.workDir });
    }
    if (ep.settle) await ctx.settle();

    const max = Object.fromEntries(routes.map((r) => [r, []]));
    for (let round = 0; round < ctx.cfg.rounds; round++) {
      for (const r of rotate(routes, round)) {
        const meter = ctx.meter();
        meter.start();
        const res = await closedLoop(target(ep.routes[r]), { connections: ctx.cfg.connections, seconds: ctx.cfg.maxSeconds, workDir: ctx.workDir });
        const cpu = meter.stop();
        max[r].push({ ...res, cpu });
        log(`  round ${round + 1} ${r.padEnd(7)} ${res.rps.toFixed(0)} req/s  p50 ${res.p50.toFixed(2)} ms  p99 ${res.p99.toFixed(2)} ms${res.errors + res.non2xx ? `  (${res.errors} errors, ${res.non2xx} non-2xx)` : ''}`);
        if (ep.settle) await ctx.settle();
      }
    }
    const directMax = medianOf(max.direct, (x) => x.rps);
    const rate = Math.max(1, Math.round(ctx.cfg.fixedRateShare * directMax));
    const fixed = await fixedRateRuns(ep, routes, rate, ctx.cfg.fixedRateShare, false);
    // 40 % of the direct maximum can be most of what the gateway path sustains when proxy and
    // service share the cores: there "added" is mostly queueing. A low rate shows the cost of the
    // hop itself.
    const lowRate = Math.max(1, Math.round(ctx.cfg.lowFixedRateShare * directMax));
    const low = await fixedRateRuns(ep, routes, lowRate, ctx.cfg.lowFixedRateShare, true);
    out[ep.key] = summarize(ep, routes, max, fixed, rate, low, lowRate);
  }
  return out;

  /**
   * Open loop at `rate` (evenly spaced sends) on each route, rounds alternating between routes.
   * keepLatencies: the answered requests' latencies stay in the run (okMs), for the report's
   * percentiles to be recomputed from them.
   */
  async function fixedRateRuns(ep, routes, rate, share, keepLatencies) {
    log(`${ep.name}: fixed rate ${rate} req/s (${Math.round(share * 100)} % of the direct maximum), ${ctx.cfg.fixedSeconds} s × ${ctx.cfg.rounds} rounds per route`);
    const runs = Object.fromEntries(routes.map((r) => [r, []]));
    for (let round = 0; round < ctx.cfg.rounds; round++) {
      for (const r of rotate(routes, round)) {
        const rt = ep.routes[r];
        const meter = ctx.meter();
        meter.start();
        const res = await openLoop(rt.origin, () => ({ method: rt.method, path: rt.path, headers: rt.headers, body: rt.body }), {
          rate,
          seconds: ctx.cfg.fixedSeconds,
          connections: 64,
        });
        const cpu = meter.stop();
        const { samples, ...summary } = res;
        const okMs = keepLatencies ? samples.filter((x) => x.status >= 200 && x.status < 300).map((x) => x.ms) : undefined;
        runs[r].push({ ...summary, cpu, ...(okMs && { okMs }) });
        log(`  round ${round + 1} ${r.padEnd(7)} p50 ${res.p50.toFixed(2)} ms  p99 ${res.p99.toFixed(2)} ms  (${res.ok}/${res.sent} ok)`);
        if (ep.settle) await ctx.settle();
      }
    }
    return runs;
  }

  async function sanityCheck(ep, r) {
    const rt = ep.routes[r];
    const res = await fetch(rt.origin + rt.path, { method: rt.method, headers: rt.headers, body: rt.body });
    const text = await res.text();
    if (res.status !== ep.expect) throw new Error(`${ep.name} via ${r} answered ${res.status} (expected ${ep.expect}): ${text.slice(0, 200)}`);
  }
}

const target = (rt) => ({ method: rt.method, url: rt.origin + rt.path, headers: rt.headers, body: rt.body });
const rotate = (arr, n) => arr.map((_, i) => arr[(i + n) % arr.length]);

/** Medians over rounds, ratios, added latency (per-round differences, then their median). */
function summarize(ep, routes, max, fixed, rate, low, lowRate) {
  const per = {};
  for (const r of routes) {
    per[r] = {
      maxRps: medianOf(max[r], (x) => x.rps),
      maxP50: medianOf(max[r], (x) => x.p50),
      maxP99: medianOf(max[r], (x) => x.p99),
      fixedP50: medianOf(fixed[r], (x) => x.p50),
      fixedP99: medianOf(fixed[r], (x) => x.p99),
      lowP50: medianOf(low[r], (x) => x.p50),
      lowP99: medianOf(low[r], (x) => x.p99),
      requests: max[r].reduce((n, x) => n + x.requests, 0) + [...fixed[r], ...low[r]].reduce((n, x) => n + x.sent, 0),
      failures: max[r].reduce((n, x) => n + x.errors + x.non2xx, 0) + [...fixed[r], ...low[r]].reduce((n, x) => n + x.failed, 0),
      // CPU per request of each process, at the fixed rate (µs of CPU per request).
      cpuUsPerReq: cpuPerRequest(fixed[r]),
      cpuCoresAtMax: coresAtMax(max[r]),
    };
  }
  const added = (r, field, runs = fixed) => median(runs[r].map((x, i) => x[field] - runs.direct[i][field]));
  const res = {
    name: ep.name,
    fixedRate: rate,
    routes: per,
    gatewayShare: per.gateway.maxRps / per.direct.maxRps,
    gatewayAddedP50: added('gateway', 'p50'),
    gatewayAddedP99: added('gateway', 'p99'),
    lowRate,
    gatewayAddedP50Low: added('gateway', 'p50', low),
    gatewayAddedP99Low: added('gateway', 'p99', low),
    runs: { max, fixed, low },
  };
  if (per.nginx) {
    Object.assign(res, {
      nginxShare: per.nginx.maxRps / per.direct.maxRps,
      gatewayVsNginx: per.gateway.maxRps / per.nginx.maxRps,
      nginxAddedP50: added('nginx', 'p50'),
      nginxAddedP99: added('nginx', 'p99'),
      nginxAddedP50Low: added('nginx', 'p50', low),
      nginxAddedP99Low: added('nginx', 'p99', low),
      // What the proxy itself burns per request: the gateway process vs the nginx processes.
      proxyCpuUs: { gateway: per.gateway.cpuUsPerReq.gateway, nginx: per.nginx.cpuUsPerReq.nginx },
    });
  }
  return res;
}

function cpuPerRequest(runs) {
  const out = {};
  for (const name of Object.keys(runs[0]?.cpu.groups ?? {})) {
    out[name] = median(runs.map((x) => (1e6 * x.cpu.groups[name].cpuSec) / Math.max(1, x.ok)));
  }
  return out;
}

function coresAtMax(runs) {
  const out = {};
  for (const name of Object.keys(runs[0]?.cpu.groups ?? {})) out[name] = median(runs.map((x) => x.cpu.groups[name].cores));
  out.other = median(runs.map((x) => x.cpu.otherCores));
  return out;
}
