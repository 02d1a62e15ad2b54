#!/usr/bin/env node
// `npm run start:cluster [-- --replicas N]`: the system as a cluster on one machine (README,
// "Running as a cluster"): install (when needed) → build (when stale) → three Kafka brokers and
// one PostgreSQL per service → N instances of every app → nginx on 3005 → the event console.
// Ctrl+C (or SIGTERM) stops nginx, the apps, the brokers and PostgreSQL, and exits 0. The work is
// done by infra/local/cluster.mjs, which a test harness drives the same way.
import path from 'node:path';
import { CONSOLE, appPort, checkUserEnv, presentApps, readPackageJson } from './lib/apps.mjs';
import { appLogTail, probe, startApp, stopApp, waitReady } from './lib/app-process.mjs';
import { buildAll, installAll } from './lib/prepare.mjs';
import { c, say, seconds, step, warn } from './lib/ui.mjs';
import { NGINX_MISSING, findNginx } from '../infra/local/balancer.mjs';
import { REPO_ROOT, getProfile, kafkaNodes, runDir } from '../infra/local/profiles.mjs';
import { isPortServed, ownLiveProcess, removePidFile, stopPid, stopWhenOrphaned } from '../infra/local/procs.mjs';

const profile = getProfile('cluster');
const t0 = Date.now();
const USAGE = 'usage: npm run start:cluster [-- --replicas N]   (N instances of every app, default 2)';

/** @type {import('../infra/local/cluster.mjs').Cluster | undefined} */
let cluster;
/** @type {import('../infra/local/stack.mjs').Stack | undefined} set as soon as it exists, for a stop mid-start */
let stack;
/** @type {import('./lib/app-process.mjs').RunningApp[]} every app started, also mid-start */
const running = [];
/** @type {import('./lib/app-process.mjs').RunningApp | undefined} */
let consoleApp;
let starting = Promise.resolve();
let shuttingDown = false;

async function shutdown(reason, code) {
  if (shuttingDown) return;
  shuttingDown = true;
  say(c.bold(`\n${reason}: stopping`));
  // A stop during start-up waits for the step under way to settle (seconds), so nothing is left behind.
  await starting.catch(() => {});
  if (consoleApp) await stopApp(consoleApp);
  if (cluster) await step('stop nginx, the apps, Kafka and PostgreSQL', () => cluster.stop());
  else {
    if (running.length) await step('stop apps', () => Promise.all(running.map(stopApp)));
    if (stack) await step('stop Kafka and PostgreSQL', () => stack.stop());
  }
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void shutdown(signal, 0));
stopWhenOrphaned();

try {
  await main();
} catch (err) {
  say(c.red(`\nnpm run start:cluster failed: ${err.message}`));
  await shutdown('failure', 1);
}

/** @returns {number} */
function replicasArg(argv) {
  let replicas = '2';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--replicas') replicas = argv[++i] ?? '';
    else if (a.startsWith('--replicas=')) replicas = a.slice('--replicas='.length);
    else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  if (!/^\d+$/.test(replicas) || Number(replicas) < 1 || Number(replicas) > 9) {
    throw new Error(`--replicas ${replicas || '(missing)'}: expected an integer 1-9\n${USAGE}`);
  }
  return Number(replicas);
}

async function main() {
  const replicas = replicasArg(process.argv.slice(2));
  const problems = checkUserEnv(process.env, { profile: 'cluster' });
  if (problems.length) throw new Error(`refusing your settings:\n  ${problems.join('\n  ')}`);
  if (!findNginx()) throw new Error(NGINX_MISSING);
  const apps = presentApps(warn);
  const installed = await step('install dependencies', installAll);
  const withConsole = readPackageJson(CONSOLE.dir)?.scripts?.build ? [...apps, CONSOLE] : apps;
  const builds = await step('build apps', () => buildAll(withConsole, { force: installed }));
  const failed = builds.filter((b) => !b.ok).map((b) => b.app.dir);
  if (failed.length) throw new Error(`build failed: ${failed.join(', ')}`);

  const { startCluster } = await import('../infra/local/cluster.mjs');
  const log = (m) => say(`  ${m}`);
  const title = `start 3 Kafka brokers, PostgreSQL, ${replicas} instance${replicas > 1 ? 's' : ''} of each app and nginx (cluster profile)`;
  starting = step(title, async () => {
    cluster = await startCluster({
      replicas,
      log,
      apps,
      onStack: (s) => (stack = s),
      onAppStart: (r) => running.push(r),
    }).catch(async (err) => {
      for (const r of running.filter((x) => x.exited && !x.stopping)) {
        say(c.red(`\n${r.name} (${r.app.dir}) ${r.exited}. Last lines of ${path.relative(REPO_ROOT, r.logFile)}:`));
        say(appLogTail(r));
      }
      throw err;
    });
  });
  await starting;
  if (shuttingDown) return;
  const consoleRow = await step('start the event console', startConsole);
  for (const r of cluster.running.values()) void watchCrash(r);
  await printSummary(replicas, consoleRow);
  setInterval(() => {}, 1 << 30); // until Ctrl+C
}

/**
 * The event console on 9000 (one instance: it reads Kafka, owns nothing), as `npm start` runs it.
 * @returns {Promise<[string, string]>}
 */
async function startConsole() {
  const label = 'Event console';
  if (!readPackageJson(CONSOLE.dir)) return [label, c.yellow('not started: infra/console is missing')];
  if (process.env.NODE_ENV === 'production' && process.env.EVENT_CONSOLE !== 'true') {
    return [label, c.yellow('not started: NODE_ENV=production (EVENT_CONSOLE=true starts it, with an admin token required)')];
  }
  const pidFile = path.join(runDir(profile), `app-${CONSOLE.name}.pid`);
  const left = ownLiveProcess(pidFile);
  if (left && !left.ownerAlive) {
    warn(`infra/console: a killed run left it running (pid ${left.pid}); stopping it`);
    await stopPid(left.pid, { timeoutMs: 10000, name: 'event console' });
    removePidFile(pidFile);
  }
  const port = appPort(CONSOLE, 'dev');
  if (await isPortServed(port)) return [label, c.yellow(`not started: port ${port} is served by another process`)];
  consoleApp = startApp({ ...CONSOLE, port }, 'cluster', { logDir: profile.logDir, extraEnv: { PORT: String(port) } });
  try {
    await waitReady(consoleApp, 'cluster', 90000);
  } catch (err) {
    say(c.red(`\n${err.message}. Last lines of ${path.relative(REPO_ROOT, consoleApp.logFile)}:`));
    say(appLogTail(consoleApp));
    return [label, c.red(`failed to start: see ${path.relative(process.cwd(), consoleApp.logFile)}`)];
  }
  return [label, `http://localhost:${port}   (npm run dlq -- list|show|redrive in a terminal)`];
}

async function watchCrash(r) {
  const how = await r.exit;
  if (shuttingDown || r.stopping) return;
  say(c.red(`\n${r.name} (${r.app.dir}) crashed (${how}); the other instances keep serving. Last lines:`));
  say(appLogTail(r, 15));
}

/**
 * The table of where everything is: the entry point, each instance, the brokers and databases.
 * @param {number} replicas
 * @param {[string, string]} consoleRow
 */
async function printSummary(replicas, consoleRow) {
  if (!cluster) return;
  const { describeStack } = await import('../infra/local/stack.mjs');
  const rows = [['', 'instance', 'URL', 'ready', 'pid']];
  rows.push(['nginx (entry)', '', cluster.entry, `${cluster.entry}/health/ready ${color(await probe(`${cluster.entry}/health/ready`))}`, String(cluster.balancer?.pid ?? '')]);
  for (const inst of cluster.instances()) {
    const r = cluster.running.get(inst.name);
    const base = `http://localhost:${inst.port}`;
    rows.push([r?.app.dir ?? inst.app, String(inst.instance), base, `${base}/health/ready ${color(await probe(`${base}/health/ready`))}`, String(inst.pid ?? '')]);
  }
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => stripAnsi(r[i]).length)));
  const pad = (s, w) => s + ' '.repeat(Math.max(0, w - stripAnsi(s).length));
  say(c.bold(`\nnest-ms cluster is running (${replicas} instance${replicas > 1 ? 's' : ''} of each app, ${kafkaNodes(profile).length} brokers; ${seconds(Date.now() - t0)}). Ctrl+C stops everything.`));
  for (const r of rows) say(`  ${pad(r[0], widths[0])}  ${pad(r[1], widths[1])}  ${pad(r[2], widths[2])}  ${pad(r[3], widths[3])}  ${r[4]}`);
  const extra = [
    ['Swagger UI', `${cluster.entry}/api/docs`],
    consoleRow,
    ...describeStack(/** @type {import('../infra/local/stack.mjs').Stack} */ (cluster.stack)).map(([label, text]) => {
      const pid = cluster?.stack?.parts.find((p) => text.startsWith(`localhost:${p.port} `))?.pid;
      return [label, `${text}${pid ? `  pid ${pid}` : ''}`];
    }),
    ['Logs', `${path.relative(process.cwd(), profile.logDir) || '.'}/  (kafka-<n>.log, postgres-*.log, <app>-<n>.log, nginx-*.log)`],
  ];
  say('');
  const w = Math.max(...extra.map((e) => e[0].length));
  for (const [label, text] of extra) say(`  ${label.padEnd(w)}  ${text}`);
}

function color(status) {
  return status === '200' ? c.green(status) : c.red(status);
}

function stripAnsi(s) {
  return s.replace(/\x1b\[[0-9;]*m/g, '');
}
