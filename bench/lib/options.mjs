// 6. What tracing and auth cost: the same GET /api/users/:id through the gateway at full speed,
// with the apps restarted under each setting in turn (rounds alternating between settings) and
// warmed up for `cfg.optionWarmSeconds` of the same load, CPU per request of the gateway and
// user-service read from /proc. Full speed because a process that waits between requests pays for
// each wake-up: at 150 req/s the two apps spent ~2 ms per GET whatever the setting, 5 times their
// cost at full speed, and a setting's difference was lost in it. Ten seconds of warm-up because a
// just-started app is still compiling its hot code after two: every setting then cost about twice
// what it costs warm (likely the optimizing compiler still at work: its threads count in the
// process's CPU). Full speed flatters the cheaper setting, though: untraced, the apps go faster and
// batch more per wake-up. `--option-rate N` runs every setting at N req/s instead (open loop,
// after the same warm-up), where the cheaper setting likely sleeps more between requests: the two
// ways should bound a setting's cost from both sides (bench/findings.md).
//   tracing: every request sampled (parent-based always-on, the default), 10 % sampled
//            (parentbased_traceidratio 0.1), and the SDK not loaded (OTEL_SDK_DISABLED=true);
//            the share of request CPU tracing costs is 1 − CPU(off) ÷ CPU(setting).
//   auth:    the gateway with AUTH_ENABLED=false and =true, the same request with the same
//            bearer token in both (a user reading themselves); the CPU it adds is on − off.
import crypto from 'node:crypto';
import { closedLoop, openLoop } from './load.mjs';
import { startApp, stopApp, waitReady } from './system.mjs';
import { PASSWORD } from './chain.mjs';

export const TRACING_SETTINGS = {
  on: { OTEL_SDK_DISABLED: 'false', OTEL_TRACES_SAMPLER: 'parentbased_always_on' },
  ratio10: { OTEL_SDK_DISABLED: 'false', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' },
  off: { OTEL_SDK_DISABLED: 'true' },
};

/** @param {import('./main.mjs').Ctx} ctx */
export async function tracingCost(ctx) {
  const user = await ctx.createUserDirect('tracing');
  const request = () => ({ method: 'GET', path: `/api/users/${user.id}`, headers: { 'x-api-key': ctx.apiKey, accept: 'application/json' } });
  return settingRuns(ctx, { apps: ['users', 'gateway'], settings: TRACING_SETTINGS, request, groupsNote: 'gateway + users' });
}

/** @param {import('./main.mjs').Ctx} ctx */
export async function authCost(ctx) {
  // One secret for both settings: the token issued once is valid whichever gateway runs.
  const secret = crypto.randomBytes(32).toString('base64url');
  const settings = { off: { AUTH_ENABLED: 'false', JWT_SECRET: secret }, on: { AUTH_ENABLED: 'true', JWT_SECRET: secret } };
  let token = '';
  let userId = '';
  const request = () => ({
    method: 'GET',
    path: `/api/users/${userId}`,
    headers: { 'x-api-key': ctx.apiKey, accept: 'application/json', authorization: `Bearer ${token}` },
  });
  const onStarted = async () => {
    if (token) return;
    const res = await fetch(`${ctx.urls.gateway}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `${ctx.runId}-auth-${crypto.randomUUID().slice(0, 8)}@example.com`, name: 'Bench Auth', password: PASSWORD }),
    });
    const body = await res.json().catch(() => ({}));
    if (res.status !== 201 || !body.accessToken) throw new Error(`POST /api/auth/register answered ${res.status}: ${JSON.stringify(body).slice(0, 200)}`);
    token = body.accessToken;
    userId = body.user.id;
  };
  const out = await settingRuns(ctx, { apps: ['gateway'], settings, request, onStarted });
  // The report keeps the settings, not the run's throw-away secret.
  for (const env of Object.values(out.settings ?? {})) env.JWT_SECRET = '(random, one per run)';
  return out;
}

/**
 * Rounds × settings (rotated each round): restart `apps` with the setting's environment, warm up
 * (closed loop at full speed for `cfg.optionWarmSeconds`), then a metered closed-loop run at full
 * speed through the gateway (16 connections, `cfg.maxSeconds`). Apps end on the bench's default
 * environment.
 * @param {import('./main.mjs').Ctx} ctx
 * @param {{ apps: string[], settings: Record<string, Record<string, string>>, request: () => any, onStarted?: () => Promise<void>, groupsNote?: string }} opts
 */
async function settingRuns(ctx, opts) {
  // Apps found running (`--profile dev`, npm test's smoke run) are measured, never restarted.
  const notOurs = opts.apps.filter((n) => !ctx.apps[n]?.startedHere);
  if (notOurs.length) {
    ctx.log(`  skipped: ${notOurs.join(', ')} found running, not started by the bench`);
    return { skipped: `${notOurs.join(', ')} found running, not started by the bench: not restarted with other settings` };
  }
  const names = Object.keys(opts.settings);
  const runs = Object.fromEntries(names.map((n) => [n, []]));
  try {
    for (let round = 0; round < ctx.cfg.rounds; round++) {
      for (let i = 0; i < names.length; i++) {
        const name = names[(i + round) % names.length];
        await restart(ctx, opts.apps, opts.settings[name], `${name}${round}`);
        await opts.onStarted?.();
        const check = opts.request();
        const probe = await fetch(ctx.urls.gateway + check.path, { headers: check.headers });
        const text = await probe.text();
        if (probe.status !== 200) throw new Error(`GET ${check.path} with ${name} answered ${probe.status}: ${text.slice(0, 200)}`);
        // Warm-up: JIT and pools, not counted (a few hundred requests left the apps half-compiled).
        const target = { ...check, url: ctx.urls.gateway + check.path };
        if (ctx.cfg.optionWarmSeconds > 0) await closedLoop(target, { connections: 16, seconds: ctx.cfg.optionWarmSeconds, workDir: ctx.workDir });
        const meter = ctx.meter();
        meter.start();
        const run = ctx.cfg.optionRate ? await atRate(ctx, check) : await atFullSpeed(ctx, target);
        const cpu = meter.stop();
        if (run.failed) throw new Error(`GET ${check.path} with ${name}: ${run.failed} of ${run.sent} requests failed`);
        runs[name].push({ ...run, cpu });
        const us = (g) => ((1e6 * cpu.groups[g].cpuSec) / Math.max(1, run.ok)).toFixed(0);
        ctx.log(`  round ${round + 1} ${name.padEnd(7)} ${run.rps.toFixed(0)} req/s, CPU per request: ${opts.apps.map((a) => `${a} ${us(a)} µs`).join(', ')}`);
      }
    }
  } finally {
    await restart(ctx, opts.apps, {}, 'default');
  }
  const load = ctx.cfg.optionRate ? { rate: ctx.cfg.optionRate } : { fullSpeed: true, connections: 16 };
  return { ...load, warmSeconds: ctx.cfg.optionWarmSeconds, seconds: ctx.cfg.maxSeconds, settings: structuredClone(opts.settings), runs };
}

/** The metered run at full speed: closed loop, 16 connections. */
async function atFullSpeed(ctx, target) {
  const res = await closedLoop(target, { connections: 16, seconds: ctx.cfg.maxSeconds, workDir: ctx.workDir });
  return { ok: res.requests, sent: res.requests, failed: res.errors + res.non2xx, rps: res.rps, p50: res.p50, p99: res.p99, seconds: res.seconds };
}

/** The metered run at `--option-rate`: open loop, evenly spaced sends, the same rate for every setting. */
async function atRate(ctx, request) {
  const res = await openLoop(ctx.urls.gateway, () => request, { rate: ctx.cfg.optionRate, seconds: ctx.cfg.maxSeconds, connections: 64 });
  return { ok: res.ok, sent: res.sent, failed: res.failed, rps: res.ok / res.seconds, p50: res.p50, p99: res.p99, seconds: res.seconds };
}

/** Stops `names` and starts them again with `env` on top of the bench's environment; waits until ready. */
async function restart(ctx, names, env, tag) {
  await Promise.all(names.map((n) => stopApp(ctx.apps[n])));
  for (const n of names) {
    // Node's flags (--cpu-prof) stay: a restarted app is profiled as the first start was.
    ctx.apps[n] = startApp(ctx.apps[n].app, ctx.profile, { logDir: ctx.logDir, extraEnv: { ...ctx.appExtraEnv, ...env }, logName: `${n}.${tag}`, nodeArgs: ctx.apps[n].nodeArgs });
  }
  // Started together; the gateway answers ready only once the services do.
  await Promise.all(names.map((n) => waitReady(ctx.apps[n], ctx.profile, { timeoutMs: 60000, pollMs: 50 })));
}
