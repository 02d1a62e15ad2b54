// `npm run bench`: brings the system up (or uses what already runs), measures, writes the report.
// Exits non-zero only when something could not be measured; a missed target is a finding.
import { parseArgs, SECTIONS } from './args.mjs';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { REPO_ROOT, getProfile, runDir } from '../../infra/local/profiles.mjs';
import { isPortServed } from '../../infra/local/procs.mjs';
import { chainLatencyLow, chainRun, chainThroughput, latencySummary, PASSWORD, pipelineCapacity, withoutSamples } from './chain.mjs';
import { coldStarts, rssNow } from './footprint.mjs';
import { gatewayCost } from './gateway.mjs';
import { ensureBenchTopics, kafkaClient, kafkaVersion, topicEnds } from './kafka.mjs';
import { hasWrk } from './load.mjs';
import { startNginx } from './nginx.mjs';
import { authCost, tracingCost } from './options.mjs';
import { cpuMeter, machineInfo, pidListeningOn, reniceTree, setAutogroupNice } from './proc.mjs';
import { producerCeiling } from './producer.mjs';
import { writeReport } from './report.mjs';
import { medianOf } from './stats.mjs';
import { APPS, BENCH_API_KEY, appUrl, findRunningApp, startApp, stopApp, waitReady } from './system.mjs';

/** Durations and sizes: the full bench (~10 min on 2 cores) and the smoke run of `npm test` (seconds). */
const CONFIGS = {
  full: {
    rounds: 3, connections: 32, warmSeconds: 2, maxSeconds: 4, fixedSeconds: 4, fixedRateShare: 0.4, lowFixedRateShare: 0.1,
    lowRate: 10, chainSeconds: 6, e2eMessages: 500, startRate: 8, maxRate: 3000, stepSeconds: 6,
    halfSeconds: 6, injectCount: 3000, relayProbeRows: 2000, relayMaxRows: 200000, relaySeconds: 3,
    perfRecords: 300000, warmChains: 60, optionWarmSeconds: 10,
  },
  smoke: {
    rounds: 1, connections: 2, warmSeconds: 0, maxSeconds: 1, fixedSeconds: 0.5, fixedRateShare: 0.05, lowFixedRateShare: 0.02,
    lowRate: 5, chainSeconds: 1, e2eMessages: 20, startRate: 5, maxRate: 5, stepSeconds: 1,
    halfSeconds: 1, injectCount: 20, relayProbeRows: 100, relayMaxRows: 200, relaySeconds: 0.1,
    perfRecords: 2000, warmChains: 2, optionWarmSeconds: 0,
  },
};

/**
 * @typedef {ReturnType<typeof makeCtx>} Ctx
 */

export async function main(argv) {
  const args = parseArgs(argv);
  const t0 = performance.now();
  const profileName = args.profile ?? (args.smoke ? 'test' : 'bench');
  const profile = getProfile(profileName);
  const cfg = { ...CONFIGS[args.smoke ? 'smoke' : 'full'] };
  if (process.env.BENCH_ROUNDS) cfg.rounds = Number(process.env.BENCH_ROUNDS);
  if (args.optionRate) cfg.optionRate = args.optionRate;
  const outDir = args.out ? path.resolve(args.out) : path.join(REPO_ROOT, 'bench', 'results');
  const rawDir = path.join(outDir, 'raw');
  const runId = `bench${Date.now().toString(36)}${crypto.randomBytes(2).toString('hex')}`;
  const workDir = path.join(profile.dataDir, 'bench-work');
  const logDir = path.join(profile.logDir, 'bench-apps');
  fs.mkdirSync(rawDir, { recursive: true });
  fs.mkdirSync(workDir, { recursive: true });
  const log = (m) => console.log(`[bench] ${m}`);
  const cleanups = [];
  let cleaning;
  const cleanup = () => (cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) await fn().catch((e) => log(`cleanup: ${e.message}`));
  })());
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(s, () => {
      log(`${s}: stopping what the bench started`);
      void cleanup().then(() => process.exit(130));
    });
  }

  const result = {
    runId,
    startedAt: new Date().toISOString(),
    mode: args.smoke ? 'smoke' : 'full',
    profile: profileName,
    machine: machineInfo(),
    tools: { wrk: hasWrk(), kafka: kafkaVersion() },
    config: cfg,
    commit: gitCommit(),
    sections: {},
    errors: {},
  };
  log(`machine: ${result.machine.cpu}, ${result.machine.cores} cores, ${result.machine.memoryGb} GB, load ${result.machine.loadAverage.join(' ')}`);
  // Everything the bench starts inherits this priority (servers, apps, load generators): on a
  // shared box the neighbours' work then disturbs the figures less. Reused servers are reniced below.
  result.nice = args.nice;
  try {
    os.setPriority(args.nice);
    if (args.nice < 0) setAutogroupNice(process.pid, args.nice);
  } catch {
    result.nice = os.getPriority();
    log(`could not set the scheduling priority to ${args.nice} (not root?): measuring at ${result.nice}`);
  }

  try {
    // ---- the system ---------------------------------------------------------------------------
    if (!args.noBuild) {
      const { installAll, buildAll } = await import('../../scripts/lib/prepare.mjs');
      const { presentApps } = await import('../../scripts/lib/apps.mjs');
      const installed = await installAll();
      const builds = await buildAll(presentApps(log), { force: installed });
      const failed = builds.filter((b) => !b.ok).map((b) => b.app.dir);
      if (failed.length) throw new Error(`build failed: ${failed.join(', ')}`);
    }
    const broker = `localhost:${profile.kafka.port}`;
    const appExtraEnv = {};
    /** The running system; replaced when the whole stack is restarted (footprint section). */
    const sys = { stack: /** @type {any} */ (undefined), apps: /** @type {Record<string, import('./system.mjs').RunningApp>} */ ({}) };
    cleanups.push(async () => {
      await Promise.all(Object.values(sys.apps).map(stopApp));
      if (sys.stack?.startedAny) {
        log('stopping Kafka and PostgreSQL');
        await sys.stack.stop();
      }
    });
    /** Kafka and PostgreSQL (started or reused), then the four apps in parallel; timed. */
    const bringUp = async () => {
      const stackT0 = performance.now();
      const { startStack } = await import('../../infra/local/stack.mjs');
      sys.stack = await startStack(profileName, { log: (m) => log(m) });
      const infraMs = performance.now() - stackT0;
      const infraStarted = sys.stack.parts.filter((p) => p.started).map((p) => p.name);
      // The servers run detached (sessions of their own): give them the bench's priority too.
      // Only the bench profile's; a reused `npm start` or `npm test` keeps its priority.
      if (result.nice < 0 && profileName === 'bench') {
        for (const part of sys.stack.parts) {
          const pid = part.pid ?? pidListeningOn(part.port);
          if (pid) reniceTree(pid, result.nice);
        }
      }
      const appsT0 = performance.now();
      const readyMs = {};
      for (const app of APPS) {
        const found = await findRunningApp(app, profileName);
        const nodeArgs = args.cpuProf?.includes(app.name) ? ['--cpu-prof', `--cpu-prof-dir=${path.join(workDir, 'cpu-profiles')}`] : [];
        sys.apps[app.name] = found ?? startApp(app, profileName, { logDir, extraEnv: appExtraEnv, nodeArgs });
        log(`${app.dir}: ${found ? `already running on ${appUrl(app, profileName)} (pid ${found.pid}): measured, not restarted` : `started (pid ${sys.apps[app.name].pid})`}`);
      }
      await Promise.all(
        Object.values(sys.apps).map(async (r) => {
          readyMs[r.app.name] = await waitReady(r, profileName, { since: appsT0, timeoutMs: 180000, pollMs: 20 });
        }),
      );
      const st = {
        infraStarted,
        infraMs,
        appsMs: Math.max(...Object.values(readyMs)),
        appsStartedHere: Object.values(sys.apps).filter((a) => a.startedHere).map((a) => a.app.name),
        readyMs,
        wholeStackMs: performance.now() - stackT0,
      };
      log(`stack ready in ${(st.wholeStackMs / 1000).toFixed(1)} s: infrastructure ${(infraMs / 1000).toFixed(1)} s (${infraStarted.length ? `started ${infraStarted.join(', ')}` : 'all reused'}), apps ${(st.appsMs / 1000).toFixed(1)} s`);
      return st;
    };
    result.stackStart = await bringUp();
    // Known once the stack has resolved Kafka's jars (a fresh clone has none before its first start).
    result.tools.kafka = kafkaVersion();
    await refuseRateLimitedGateway(appUrl(APPS.find((a) => a.name === 'gateway'), profileName));
    await ensureBenchTopics(broker);
    const apps = sys.apps;
    const stack = sys.stack;

    const urls = Object.fromEntries(APPS.map((a) => [a.name, appUrl(a, profileName)]));
    const nginx = await startNginx({ port: nginxPort(profileName), users: urls.users, orders: urls.orders, dir: path.join(workDir, 'nginx'), pidFile: path.join(runDir(profile), 'nginx.pid') });
    if ('skipped' in nginx) {
      log(`nginx: skipped (${nginx.skipped})`);
      result.nginx = { skipped: nginx.skipped };
    } else {
      urls.nginx = nginx.url;
      result.nginx = { version: nginx.version, workers: 1, url: nginx.url };
      cleanups.push(() => nginx.stop());
    }

    if (result.nice < 0 && profileName === 'bench') {
      for (const a of Object.values(apps).filter((x) => !x.startedHere && x.pid)) reniceTree(a.pid, result.nice);
    }
    const ctx = makeCtx({ cfg, profile, profileName, broker, urls, apps, stack, nginx, runId, workDir, logDir, log, appExtraEnv });
    cleanups.push(() => ctx.close());

    // ---- warm-up ------------------------------------------------------------------------------
    log(`warm-up: ${cfg.warmChains} sign-ups through the whole chain`);
    const warm = await chainRun(ctx, { rate: Math.min(20, cfg.warmChains), seconds: cfg.warmChains / Math.min(20, cfg.warmChains), tag: 'warm' });
    if (warm.completed === 0) throw new Error(`warm-up: no chain completed (${JSON.stringify(warm.statuses)}); is the system working?`);
    await ctx.settle();
    await new Promise((r) => setTimeout(r, args.smoke ? 100 : 2000));
    result.idleRss = rssNow(ctx);
    log(`idle RSS (MB): ${fmtObj(result.idleRss)}`);

    const wanted = new Set(args.only ?? SECTIONS);
    const section = async (name, fn) => {
      if (!wanted.has(name)) return;
      const s0 = performance.now();
      log(`── ${name}`);
      try {
        result.sections[name] = await fn();
      } catch (err) {
        result.errors[name] = err.stack ?? String(err);
        log(`${name}: could not measure: ${err.message}`);
      }
      log(`── ${name} done in ${((performance.now() - s0) / 1000).toFixed(0)} s`);
    };

    await section('idle', async () => {
      // Consumers idle, nothing to relay: what each process spends waiting (timers, polls, heartbeats).
      const meter = ctx.meter();
      meter.start();
      await new Promise((r) => setTimeout(r, (args.smoke ? 2 : 30) * 1000));
      const m = meter.stop();
      const cpuPct = Object.fromEntries(Object.entries(m.groups).filter(([name]) => name !== 'loadgen').map(([name, g]) => [name, 100 * g.cores]));
      log(`idle CPU (%): ${fmtObj(cpuPct)}`);
      // The same apps at the end of the window: what they hold once idle, next to idleRss (2 s after load).
      const rssAfterMb = rssNow(ctx);
      log(`RSS after the idle window (MB): ${fmtObj(rssAfterMb)}`);
      return { seconds: m.seconds, cpuPct, rssAfterMb };
    });
    await section('producer', () => producerCeiling(ctx));
    await section('gateway', () => gatewayCost(ctx));
    await section('chain', async () => {
      log('chain latency at a low rate, alternating with Kafka EndToEndLatency');
      const low = await chainLatencyLow(ctx);
      log('chain throughput: highest steady sign-up rate');
      const throughput = await chainThroughput(ctx);
      const halfRate = Math.max(1, Math.round((throughput.best || cfg.startRate) / 2));
      log(`chain latency at 50 % of that (${halfRate}/s)`);
      const halfRuns = [];
      for (let i = 0; i < cfg.rounds; i++) {
        const r = withoutSamples(await chainRun(ctx, { rate: halfRate, seconds: cfg.halfSeconds, tag: `half${i}` }));
        halfRuns.push(r);
        log(`  chain at ${halfRate}/s: p50 ${r.p50.toFixed(1)} ms p99 ${r.p99.toFixed(1)} ms (${r.completed}/${r.sent})`);
        await ctx.settle();
      }
      log('event pipeline alone: user.created written to Kafka, timed to paid');
      const pipeline = await pipelineCapacity(ctx);
      return { low, throughput, half: { rate: halfRate, runs: halfRuns, ...latencySummary(halfRuns) }, pipeline };
    });
    await section('tracing', () => tracingCost(ctx));
    await section('auth', () => authCost(ctx));
    if (args.only?.includes('pipeline')) {
      await section('pipeline', () => {
        log('event pipeline alone: user.created written to Kafka, timed to paid');
        return pipelineCapacity(ctx);
      });
    }
    await section('footprint', async () => {
      const loadRss = peakRss(result.sections);
      log('cold starts (each app restarted with its dependencies up)');
      const cold = await coldStarts(ctx);
      // The whole stack again, from nothing, when this run started all of it (else: one sample).
      const stackRuns = [result.stackStart];
      const ours = sys.stack.startedAny && sys.stack.parts.every((p) => p.started) && Object.values(sys.apps).every((a) => a.startedHere);
      for (let i = 1; ours && i < cfg.rounds; i++) {
        log(`whole stack restart ${i + 1}/${cfg.rounds}: stopping everything`);
        await ctx.close();
        await Promise.all(Object.values(sys.apps).map(stopApp));
        await sys.stack.stop();
        stackRuns.push(await bringUp());
        ctx.reopen(sys.stack);
      }
      const stackStart = { ...result.stackStart, runs: stackRuns, wholeStackMs: medianOf(stackRuns, (r) => r.wholeStackMs), infraMs: medianOf(stackRuns, (r) => r.infraMs), appsMs: medianOf(stackRuns, (r) => r.appsMs) };
      return { idleRss: result.idleRss, loadRss, cold, stackStart };
    });
  } catch (err) {
    result.errors.setup = err.stack ?? String(err);
    log(`could not measure: ${err.message}`);
  } finally {
    result.finishedAt = new Date().toISOString();
    result.totalSeconds = (performance.now() - t0) / 1000;
    await cleanup();
  }

  const beyond = failuresBeyondTolerance(result.sections);
  if (beyond.length) {
    result.errors.failures = `more than ${ERROR_TOLERANCE * 100} % of the requests failed in: ${beyond.join('; ')}`;
    log(`failed requests beyond the tolerance: ${beyond.join('; ')}`);
  }
  const { markdown, json } = writeReport(result, { outDir, rawDir, smoke: args.smoke, only: args.only });
  log(`report: ${path.relative(process.cwd(), markdown)} (raw: ${path.relative(process.cwd(), json)})`);
  log(`total ${(result.totalSeconds / 60).toFixed(1)} min`);
  if (args.cpuProf) log(`CPU profiles (open in Chrome DevTools): ${path.relative(process.cwd(), path.join(workDir, 'cpu-profiles'))}/`);
  const failed = Object.keys(result.errors);
  if (failed.length) {
    log(`could not measure: ${failed.join(', ')}`);
    return 1;
  }
  return 0;
}

/**
 * Share of failed requests (errors, non-2xx, sign-ups not accepted) above which a measurement
 * measured the failures, not the system: the run exits 1 and the report says where.
 */
const ERROR_TOLERANCE = 0.01;

/**
 * Measurements whose failed requests exceed the tolerance, described. The chain throughput search
 * is left out: its steps probe rates beyond what the system sustains, on purpose.
 * @param {Record<string, any>} sections
 * @returns {string[]}
 */
function failuresBeyondTolerance(sections) {
  /** @type {[string, number, number][]} label, failed, total */
  const counts = [];
  for (const [key, endpoint] of Object.entries(sections.gateway ?? {})) {
    for (const [route, r] of Object.entries(endpoint.routes ?? {})) counts.push([`gateway ${key} via ${route}`, r.failures, r.requests]);
  }
  const chainRuns = [...(sections.chain?.low?.runs ?? []), ...(sections.chain?.half?.runs ?? [])];
  for (const r of chainRuns) counts.push([`chain at ${r.rate}/s`, r.sent - r.created, r.sent]);
  return counts
    .filter(([, failed, total]) => total > 0 && failed / total > ERROR_TOLERANCE)
    .map(([label, failed, total]) => `${label}: ${failed} of ${total} failed`);
}

/**
 * A gateway that rate-limits the bench's client measures its limiter: refuse it. The gateways the
 * bench starts itself have the limits lifted (see appEnv); one found running (say `npm start`'s,
 * 100 requests per 10 s) must have been started so.
 * @param {string} gatewayUrl
 */
async function refuseRateLimitedGateway(gatewayUrl) {
  const res = await fetch(`${gatewayUrl}/api/users/${crypto.randomUUID()}`, { signal: AbortSignal.timeout(5000) });
  await res.arrayBuffer();
  const limits = [...res.headers].filter(([name]) => /^x-ratelimit-limit/i.test(name)).map(([, v]) => Number(v));
  const lowest = Math.min(...limits);
  if (limits.length && lowest < MIN_RATE_LIMIT) {
    throw new Error(
      `the gateway at ${gatewayUrl} allows a client ${lowest} requests per window (X-RateLimit-Limit): the bench would measure ` +
        `its rate limiter. Run the bench on its own profile (npm run bench), or start the system with ` +
        `THROTTLE_LIMIT=${MIN_RATE_LIMIT} THROTTLE_AUTH_LIMIT=${MIN_RATE_LIMIT} npm start`,
    );
  }
}
const MIN_RATE_LIMIT = 1000000;

const nginxPort = (profile) => ({ bench: 5008, test: 4008, dev: 3008 })[profile];

/**
 * The commit measured, 12 hex digits: the apps' (BENCH_APPS_ROOT, when another build is measured),
 * by git itself (a worktree's .git is a file, not a folder).
 */
function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: process.env.BENCH_APPS_ROOT || REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}

const fmtObj = (o) => Object.entries(o).map(([k, v]) => `${k} ${Number.isFinite(v) ? v.toFixed(0) : v}`).join(', ');

/** Highest RSS any app reached in the measured runs (sampled every 0.5 s by the CPU meters). */
function peakRss(sections) {
  const peak = {};
  const visit = (node) => {
    if (!node || typeof node !== 'object') return;
    if (node.groups && typeof node.seconds === 'number') {
      for (const name of ['gateway', 'users', 'orders', 'payments']) {
        const g = node.groups[name];
        if (g) peak[name] = Math.max(peak[name] ?? 0, g.peakRssMb);
      }
      return;
    }
    for (const v of Array.isArray(node) ? node : Object.values(node)) visit(v);
  };
  visit(sections);
  return peak;
}

/**
 * Everything the sections share: URLs, pools, the CPU meter over every process, and the chain
 * bookkeeping done in the databases.
 */
function makeCtx({ cfg, profile, profileName, broker, urls, apps, stack, nginx, runId, workDir, logDir, log, appExtraEnv }) {
  const dbPort = (name) => profile.postgres.find((d) => d.name === name).port;
  const dbName = (name) => profile.postgres.find((d) => d.name === name).database;
  const pool = (name) => new pg.Pool({ host: 'localhost', port: dbPort(name), user: 'postgres', password: 'postgres', database: dbName(name), max: 3 });
  let db = { users: pool('users'), orders: pool('orders'), payments: pool('payments') };
  let stackRef = stack;
  const kafka = kafkaClient(broker);
  const admin = kafka.admin();
  let adminReady;
  const startedAt = new Date();
  const infraPid = (part) => part.pid ?? pidListeningOn(part.port);
  const groups = () => {
    const g = {};
    for (const [name, r] of Object.entries(apps)) g[name] = r.pid;
    for (const part of stackRef.parts) g[part.kind === 'kafka' ? 'kafka' : `pg-${part.name.replace('postgres-', '')}`] = infraPid(part);
    if (nginx && 'pid' in nginx) g.nginx = nginx.pid;
    g.loadgen = 'self';
    return g;
  };
  const samplePayload = () => ({
    eventId: crypto.randomUUID(),
    type: 'UserCreated',
    version: 1,
    occurredAt: new Date().toISOString(),
    requestId: crypto.randomUUID(),
    data: { userId: crypto.randomUUID(), email: 'someone.with.a.name@example.com', name: 'Someone With A Name', role: 'user' },
  });
  const ctx = {
    cfg,
    profile: profileName,
    broker,
    urls,
    apps,
    runId,
    workDir,
    logDir,
    log,
    appExtraEnv,
    apiKey: BENCH_API_KEY,
    db,
    kafka,
    samplePayload,
    eventSize: Buffer.byteLength(JSON.stringify(samplePayload())),
    meter: () => cpuMeter(groups()),
    refreshPids() {
      // apps[] entries are replaced on restart; groups() reads them each time.
    },
    async createUserDirect(tag) {
      const res = await fetch(`${urls.users}/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': BENCH_API_KEY },
        body: JSON.stringify({ email: `${runId}-${tag}-${crypto.randomUUID().slice(0, 8)}@example.com`, name: 'Bench', password: PASSWORD }),
      });
      const body = await res.json().catch(() => ({}));
      if (res.status !== 201) throw new Error(`POST /users answered ${res.status}: ${JSON.stringify(body).slice(0, 200)}`);
      return body;
    },
    /** userId → epoch ms at which its welcome order was marked paid, for those done within the timeout. */
    async waitChains(ids, timeoutMs) {
      const done = new Map();
      const deadline = Date.now() + timeoutMs;
      let pending = ids;
      while (pending.length && Date.now() < deadline) {
        const { rows } = await db.orders.query(
          `SELECT /* bench */ user_id, (extract(epoch from updated_at) * 1000)::float8 AS paid
             FROM orders WHERE kind = 'welcome' AND status = 'paid' AND user_id = ANY($1::uuid[])`,
          [pending],
        );
        for (const r of rows) done.set(r.user_id, r.paid);
        pending = pending.filter((id) => !done.has(id));
        if (pending.length) await new Promise((r) => setTimeout(r, 100));
      }
      return done;
    },
    /**
     * Counts the statements the apps send to the three databases from now until `stop()` (from
     * pg_stat_statements, loaded by the bench profile's PostgreSQL; null where it is not loaded):
     * one statement is one round trip. The bench's own queries are tagged and left out.
     */
    async roundTrips() {
      const pools = [db.users, db.orders, db.payments];
      try {
        for (const p of pools) {
          await p.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
          await p.query('SELECT pg_stat_statements_reset()');
        }
      } catch {
        return { stop: async () => null };
      }
      return {
        async stop() {
          let n = 0;
          for (const p of pools) {
            const { rows } = await p.query(
              `SELECT COALESCE(sum(calls), 0)::bigint AS n FROM pg_stat_statements
                WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND query NOT LIKE '%pg_stat_statements%' AND query NOT LIKE '%/* bench */%'`,
            );
            n += Number(rows[0].n);
          }
          return n;
        },
      };
    },
    /** userId → when its welcome order and its payment were written (epoch ms). */
    async chainHops(ids) {
      const out = new Map();
      if (!ids.length) return out;
      const { rows: orders } = await db.orders.query(
        `SELECT id, user_id, (extract(epoch from created_at) * 1000)::float8 AS at FROM orders WHERE kind = 'welcome' AND user_id = ANY($1::uuid[])`,
        [ids],
      );
      const { rows: pays } = await db.payments.query(
        `SELECT order_id, (extract(epoch from created_at) * 1000)::float8 AS at FROM payments WHERE order_id = ANY($1::uuid[])`,
        [orders.map((o) => o.id)],
      );
      const payAt = new Map(pays.map((p) => [p.order_id, p.at]));
      for (const o of orders) if (payAt.has(o.id)) out.set(o.user_id, { orderAt: o.at, paymentAt: payAt.get(o.id) });
      return out;
    },
    /** Every chain accounted for in every database: users, welcome orders, payments, paid. */
    async reconcile(ids, opts = {}) {
      const n = ids.length;
      const one = async (pool, sql, params) => Number((await pool.query(sql, params)).rows[0].n);
      const users = opts.injected ? n : await one(db.users, 'SELECT count(*) AS n FROM users WHERE id = ANY($1::uuid[])', [ids]);
      const { rows: orders } = await db.orders.query(`SELECT id, status FROM orders WHERE kind = 'welcome' AND user_id = ANY($1::uuid[])`, [ids]);
      const payments = await one(db.payments, `SELECT count(*) AS n FROM payments WHERE status = 'completed' AND order_id = ANY($1::uuid[])`, [orders.map((o) => o.id)]);
      const paid = orders.filter((o) => o.status === 'paid').length;
      const counts = { requested: n, users, welcomeOrders: orders.length, payments, paid };
      return { ...counts, reconciled: users === n && orders.length === n && payments === n && paid === n };
    },
    async dlqTotal() {
      adminReady ??= admin.connect();
      await adminReady;
      const topics = (await admin.listTopics()).filter((t) => t.endsWith('.dlq'));
      return topicEnds(admin, topics);
    },
    /** Waits until nothing is in flight: no pending order of this run, every outbox empty. */
    async settle(timeoutMs = 60000) {
      const t = Date.now();
      for (;;) {
        const counts = await Promise.all([
          db.orders.query(`SELECT count(*) AS n FROM orders WHERE status = 'pending' AND created_at >= $1`, [startedAt]),
          db.users.query('SELECT count(*) AS n FROM outbox_messages'),
          db.orders.query('SELECT count(*) AS n FROM outbox_messages'),
          db.payments.query('SELECT count(*) AS n FROM outbox_messages'),
        ]);
        if (counts.every((c) => Number(c.rows[0].n) === 0)) return Date.now() - t;
        if (Date.now() - t > timeoutMs) {
          log(`settle: still in flight after ${timeoutMs / 1000} s: ${counts.map((c) => c.rows[0].n).join('/')} (pending orders / outboxes)`);
          return Date.now() - t;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async close() {
      await Promise.all(Object.values(db).map((p) => p.end().catch(() => {})));
      if (adminReady) await admin.disconnect().catch(() => {});
      adminReady = undefined;
    },
    /** After a whole-stack restart: new pools, new server pids. */
    reopen(newStack) {
      stackRef = newStack;
      db = { users: pool('users'), orders: pool('orders'), payments: pool('payments') };
      ctx.db = db;
    },
  };
  return ctx;
}

export { medianOf, isPortServed };
