// 5. Footprint: resident memory of each app idle and under load, and cold start to ready.
import { rssMb } from './proc.mjs';
import { median } from './stats.mjs';
import { startApp, stopApp, waitReady } from './system.mjs';

/** RSS of each running app now (MB). @param {import('./main.mjs').Ctx} ctx */
export function rssNow(ctx) {
  return Object.fromEntries(Object.entries(ctx.apps).map(([name, r]) => [name, rssMb(r.pid) ?? NaN]));
}

/**
 * Restarts each app the bench started, one at a time, `rounds` times (apps alternating), timing
 * spawn → /health/ready 200 with its dependencies up.
 * @param {import('./main.mjs').Ctx} ctx
 */
export async function coldStarts(ctx) {
  const names = ['users', 'orders', 'payments', 'gateway'].filter((n) => ctx.apps[n]?.startedHere);
  const times = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < ctx.cfg.rounds; round++) {
    for (const name of names) {
      const old = ctx.apps[name];
      await stopApp(old);
      await new Promise((r) => setTimeout(r, 300));
      const since = performance.now();
      const fresh = startApp(old.app, ctx.profile, { logDir: ctx.logDir, extraEnv: ctx.appExtraEnv, logName: `${name}.restart${round}` });
      ctx.apps[name] = fresh;
      const ms = await waitReady(fresh, ctx.profile, { since, timeoutMs: 60000, pollMs: 20 });
      times[name].push(ms);
      ctx.log(`  ${name}: ready ${(ms / 1000).toFixed(2)} s after spawn`);
    }
  }
  ctx.refreshPids();
  return Object.fromEntries(names.map((n) => [n, { runs: times[n], medianMs: median(times[n]) }]));
}
