#!/usr/bin/env node
// `npm start`: the whole system on one machine, no Docker needed.
//   install (when needed) → build (when stale) → Kafka + PostgreSQL (dev profile) → the four apps.
// Ctrl+C (or SIGTERM) stops the apps, then Kafka, then PostgreSQL, and exits 0.
// An app that crashes while running is reported (with its last log lines) and the rest keep
// running: one broken service should not take the others' logs and state away mid-debugging.
import path from 'node:path';
import { REPO_ROOT, getProfile, runDir } from '../infra/local/profiles.mjs';
import { isPortServed, ownLiveProcess, removePidFile, stopPid, stopWhenOrphaned } from '../infra/local/procs.mjs';
import { CONSOLE, appPort, appUrl, checkUserEnv, presentApps, readPackageJson } from './lib/apps.mjs';
import { appLogTail, probe, startApp, stopApp, waitReady } from './lib/app-process.mjs';
import { buildAll, installAll } from './lib/prepare.mjs';
import { c, say, seconds, step, warn } from './lib/ui.mjs';

const PROFILE = 'dev';
const READY_TIMEOUT_MS = 90000;
/** How long the other apps may still get ready once one has stopped before it was. */
const STOPPED_GRACE_MS = 5000;
const profile = getProfile(PROFILE);
const t0 = Date.now();

/** @type {Promise<{ stop: () => Promise<void> }> | undefined} set once the stack starts */
let stackStarting;
/** @type {import('./lib/app-process.mjs').RunningApp[]} */
const running = [];
let shuttingDown = false;

async function shutdown(reason, code) {
  if (shuttingDown) return;
  shuttingDown = true;
  say(c.bold(`\n${reason}: stopping`));
  if (running.length) await step('stop apps', () => Promise.all(running.map(stopApp)));
  // A stop during start-up waits for the stack to settle (seconds), so nothing is left behind.
  const stack = await stackStarting?.catch(() => undefined);
  if (stack) await step('stop Kafka and PostgreSQL', () => stack.stop());
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void shutdown(signal, 0));
stopWhenOrphaned();

try {
  await main();
} catch (err) {
  say(c.red(`\nnpm start failed: ${err.message}`));
  await shutdown('failure', 1);
}

async function main() {
  const problems = checkUserEnv(process.env);
  if (problems.length) throw new Error(`refusing your settings:\n  ${problems.join('\n  ')}`);
  const apps = presentApps(warn);
  const installed = await step('install dependencies', installAll);
  const withConsole = readPackageJson(CONSOLE.dir)?.scripts?.build ? [...apps, CONSOLE] : apps;
  const builds = await step('build apps', () => buildAll(withConsole, { force: installed }));
  const failed = builds.filter((b) => !b.ok).map((b) => b.app.dir);
  if (failed.length) throw new Error(`build failed: ${failed.join(', ')}`);

  const { startStack, describeStack } = await import('../infra/local/stack.mjs');
  const log = (m) => say(`  ${m}`);
  stackStarting = startStack(PROFILE, { log });
  const stack = await step('start Kafka and PostgreSQL (dev profile)', () => stackStarting);
  if (shuttingDown) return;

  const toStart = [];
  for (const app of apps) if (await claimPort(app)) toStart.push(app);
  await step(`start apps (${toStart.map((a) => a.name).join(', ') || 'none'})`, async () => {
    for (const app of toStart) running.push(startApp(app, PROFILE, { logDir: profile.logDir }));
    // Every app's own answer, not only the first: in production without secrets each names its own.
    // An app that stopped takes the others' readiness with it (the gateway's is its services'), so
    // the rest get a few seconds to answer, not the whole timeout.
    const stopped = new AbortController();
    let giveUp;
    const onStopped = () => {
      giveUp ??= setTimeout(() => stopped.abort(`${running.filter((r) => r.exited).map((r) => r.app.dir).join(', ')} stopped`), STOPPED_GRACE_MS);
    };
    const outcomes = await Promise.allSettled(running.map((r) => waitReadyOrExplain(r, stopped.signal, onStopped)));
    const failed = running.filter((_, i) => outcomes[i].status === 'rejected').map((r) => r.app.dir);
    if (failed.length) throw new Error(`not ready: ${failed.join(', ')}`);
  });
  const consoleRow = await step('start the event console', startConsole);
  for (const r of running) void watchCrash(r);
  await printSummary(apps, [consoleRow, ...describeStack(stack)]);
  // Until Ctrl+C, even when every app was found running (then no child keeps this process alive).
  setInterval(() => {}, 1 << 30);
}

/**
 * Whether to start an app on its port. An app a killed `npm start` left there is stopped first (it
 * runs code and settings of an earlier run); one that another live `npm start` runs is refused; a
 * process we know nothing of (an app under `npm run start:dev`, say) is used and the table says so.
 * @param {import('./lib/apps.mjs').App} app
 * @returns {Promise<boolean>} true: start it
 */
async function claimPort(app) {
  const port = appPort(app, PROFILE);
  await stopLeftover(app);
  if (!(await isPortServed(port))) return true;
  warn(`${app.dir}: port ${port} is served by a process npm start did not start; using it, not starting ${app.dir} (move ours with ${app.portVariable})`);
  return false;
}

/**
 * Stops what a killed `npm start` left running for this app (code and settings of an earlier run);
 * refuses when another live `npm start` runs it.
 * @param {{ name: string, dir: string }} app
 */
async function stopLeftover(app) {
  const pidFile = path.join(runDir(profile), `app-${app.name}.pid`);
  const leftover = ownLiveProcess(pidFile);
  if (leftover?.ownerAlive) {
    throw new Error(`${app.dir} already runs under another npm start (pid ${leftover.owner}); stop that one first (Ctrl+C in its terminal)`);
  }
  if (leftover) {
    warn(`${app.dir}: a killed run left it running (pid ${leftover.pid}); stopping it to start this build`);
    await stopPid(leftover.pid, { timeoutMs: 10000, name: app.dir, log: warn });
    removePidFile(pidFile);
  }
}

/**
 * The event console on 9000, or on the next free port when another process (Kafdrop from
 * docker-compose, say) serves 9000. Not in production unless EVENT_CONSOLE=true: it can redrive
 * messages. A console that fails is reported; the four apps keep running.
 * @returns {Promise<[string, string]>} its row in the summary
 */
async function startConsole() {
  const label = 'Event console';
  if (!readPackageJson(CONSOLE.dir)) return [label, c.yellow('not started: infra/console is missing')];
  if (process.env.NODE_ENV === 'production' && process.env.EVENT_CONSOLE !== 'true') {
    return [label, c.yellow('not started: NODE_ENV=production (EVENT_CONSOLE=true starts it, with an admin token required)')];
  }
  const wanted = appPort(CONSOLE, PROFILE);
  await stopLeftover(CONSOLE);
  if (process.env[CONSOLE.portVariable] && (await isPortServed(wanted))) {
    return [label, c.yellow(`not started: port ${wanted} (${CONSOLE.portVariable}) is served by another process`)];
  }
  let port = wanted;
  while (await isPortServed(port)) port++;
  const moved = port === wanted ? '' : c.yellow(`  (port ${wanted} is served by another process, Kafdrop from docker-compose perhaps; the console took ${port})`);
  const r = startApp({ ...CONSOLE, port }, PROFILE, { logDir: profile.logDir, extraEnv: { PORT: String(port) } });
  running.push(r);
  try {
    await waitReady(r, PROFILE, READY_TIMEOUT_MS);
  } catch (err) {
    say(c.red(`\n${err.message}. Last lines of ${path.relative(REPO_ROOT, r.logFile)}:`));
    say(appLogTail(r));
    return [label, c.red(`failed to start: see ${path.relative(process.cwd(), r.logFile)}`)];
  }
  return [label, `http://localhost:${port}${moved}   (npm run dlq -- list|show|redrive in a terminal)`];
}

async function waitReadyOrExplain(r, signal, onStopped) {
  try {
    await waitReady(r, PROFILE, READY_TIMEOUT_MS, { signal });
  } catch (err) {
    if (r.exited) onStopped();
    // One that was given up on has nothing of its own to show: its log is the others' absence.
    const gaveUp = !r.exited && signal.aborted;
    say(c.red(`\n${err.message}${gaveUp ? '.' : `. Last lines of ${path.relative(REPO_ROOT, r.logFile)}:`}`));
    if (!gaveUp) say(appLogTail(r));
    throw err;
  }
}

async function watchCrash(r) {
  const how = await r.exit;
  if (shuttingDown || r.stopping) return;
  say(c.red(`\n${r.app.dir} crashed (${how}); the other apps keep running. Last lines:`));
  say(appLogTail(r, 15));
  say(c.yellow(`full log: ${path.relative(REPO_ROOT, r.logFile)} — fix it and run \`npm start\` again`));
}

async function printSummary(apps, infraRows) {
  const rows = [['', 'URL', 'ready', 'metrics']];
  for (const app of apps) {
    const base = appUrl(app, PROFILE);
    const ready = await probe(`${base}/health/ready`);
    const ours = running.some((r) => r.app === app);
    rows.push([
      app.dir,
      base,
      `${base}/health/ready ${ready === '200' ? c.green('200') : c.red(ready)}`,
      `${base}/metrics${ours ? '' : c.yellow('  (not started here: a process already served the port)')}`,
    ]);
  }
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => stripAnsi(r[i]).length)));
  const pad = (s, w) => s + ' '.repeat(Math.max(0, w - stripAnsi(s).length));
  say(c.bold(`\nnest-ms is running (${seconds(Date.now() - t0)}). Ctrl+C stops everything.`));
  for (const r of rows) say(`  ${pad(r[0], widths[0])}  ${pad(r[1], widths[1])}  ${pad(r[2], widths[2])}  ${r[3]}`);
  const gateway = apps.find((a) => a.name === 'gateway');
  const extra = [
    ...(gateway ? [['Swagger UI', `${appUrl(gateway, PROFILE)}/api/docs`]] : []),
    ...infraRows,
    ['Logs', `${path.relative(process.cwd(), profile.logDir) || '.'}/  (kafka.log, postgres-*.log, <app>.log)`],
  ];
  say('');
  for (const [label, text] of extra) say(`  ${pad(label, widths[0])}  ${text}`);
}

function stripAnsi(s) {
  return s.replace(/\x1b\[[0-9;]*m/g, '');
}
