// The system under test: the profile's Kafka and PostgreSQL (started or reused through
// infra/local), and the four built apps (`node dist/main.js`), started here or found running.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { REPO_ROOT, getProfile, runDir } from '../../infra/local/profiles.mjs';
import { isPortServed, removePidFile, writePidFile } from '../../infra/local/procs.mjs';
import { APPS as ALL_APPS, appPort, appUrl, appEnv as profileEnv } from '../../scripts/lib/apps.mjs';
import { pidListeningOn } from './proc.mjs';

export { appUrl };

/**
 * @typedef {'dev' | 'test' | 'bench'} ProfileName
 * @typedef {import('../../scripts/lib/apps.mjs').App} App
 */

/**
 * Where the apps' folders are: this repo, or (BENCH_APPS_ROOT) a copy holding another build of them,
 * for before/after comparisons on the same stack.
 */
const APPS_ROOT = process.env.BENCH_APPS_ROOT ? path.resolve(process.env.BENCH_APPS_ROOT) : REPO_ROOT;

/** @type {App[]} The services first: the gateway is ready only once they are. */
export const APPS = ['users', 'orders', 'payments', 'gateway'].map((name) => /** @type {App} */ (ALL_APPS.find((a) => a.name === name)));

/**
 * The key the bench's apps share (services demand it, the gateway sends it), new each run: the
 * internal hop is measured with its production guard on. Apps found running keep their own
 * settings; then API_KEY from the environment is used, if any.
 */
export const BENCH_API_KEY = process.env.API_KEY ?? crypto.randomBytes(24).toString('base64url');

/**
 * Environment of one app started by the bench: the profile's as `npm start` and `npm test` give it
 * (ports, infrastructure, the gateway's rate limits lifted), plus the bench's key (the internal hop
 * is measured with its production guard on) and an instant, always-successful payment provider.
 * @param {App} app
 * @param {ProfileName} profileName
 * @param {Record<string, string>} [extra]
 */
export function appEnv(app, profileName, extra = {}) {
  // The rate limits are lifted whatever the profile: one client sending thousands of requests a
  // second would otherwise measure the limiter (a gateway found running is checked for them).
  const unlimited = app.name === 'gateway' ? { THROTTLE_LIMIT: '1000000', THROTTLE_AUTH_LIMIT: '1000000' } : {};
  return { ...profileEnv(app, profileName), LOG_LEVEL: 'info', API_KEY: BENCH_API_KEY, PAYMENT_FAILURE_RATE: '0', PAYMENT_DELAY_MS: '0', ...unlimited, ...extra };
}

/**
 * @typedef {{
 *   app: App, pid: number, startedHere: boolean, logFile?: string, nodeArgs?: string[],
 *   child?: import('node:child_process').ChildProcess, exit?: Promise<string>, exited?: string,
 * }} RunningApp
 */

/**
 * Starts one built app with its output in a log file (not through this process: no cost here).
 * @param {App} app
 * @param {ProfileName} profile
 * @param {{ logDir: string, extraEnv?: Record<string, string>, nodeArgs?: string[], logName?: string }} opts
 * @returns {RunningApp}
 */
export function startApp(app, profile, opts) {
  fs.mkdirSync(opts.logDir, { recursive: true });
  const logFile = path.join(opts.logDir, `${opts.logName ?? app.name}.log`);
  const fd = fs.openSync(logFile, 'w');
  // The absolute path tells the apps apart in the pid file's marker: `infra:stop` finds them after
  // a killed bench.
  const main = path.join(APPS_ROOT, app.dir, 'dist', 'main.js');
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), main], {
    cwd: path.join(APPS_ROOT, app.dir),
    env: appEnv(app, profile, opts.extraEnv),
    stdio: ['ignore', fd, fd],
  });
  fs.closeSync(fd);
  const pidFile = path.join(runDir(getProfile(profile)), `app-${opts.logName ?? app.name}.pid`);
  if (child.pid) writePidFile(pidFile, child.pid, main);
  /** @type {RunningApp} */
  const running = { app, pid: child.pid ?? 0, startedHere: true, logFile, child, nodeArgs: opts.nodeArgs };
  running.exit = new Promise((resolve) => {
    child.on('error', (err) => resolve((running.exited = `could not start: ${err.message}`)));
    child.on('exit', (code, signal) => {
      removePidFile(pidFile);
      resolve((running.exited = signal ? `killed by ${signal}` : `exit code ${code}`));
    });
  });
  return running;
}

/**
 * An app already serving its port (another run, `npm start`, `npm test`): measured, never stopped.
 * @param {App} app
 * @param {ProfileName} profile
 * @returns {Promise<RunningApp | undefined>}
 */
export async function findRunningApp(app, profile) {
  if (!(await isPortServed(appPort(app, profile)))) return undefined;
  return { app, pid: pidListeningOn(appPort(app, profile)) ?? 0, startedHere: false };
}

/**
 * Milliseconds until GET /health/ready answers 200, polled every `pollMs`.
 * @param {RunningApp} running
 * @param {ProfileName} profile
 * @param {{ timeoutMs?: number, pollMs?: number, since?: number }} [opts] since: performance.now() of the spawn
 */
export async function waitReady(running, profile, opts = {}) {
  const since = opts.since ?? performance.now();
  const deadline = since + (opts.timeoutMs ?? 90000);
  const url = `${appUrl(running.app, profile)}/health/ready`;
  let last = 'no answer';
  while (performance.now() < deadline) {
    if (running.exited) throw new Error(`${running.app.dir} stopped (${running.exited}) before it was ready; see ${rel(running.logFile)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      last = `HTTP ${res.status}`;
      if (res.status === 200) return performance.now() - since;
    } catch (err) {
      last = err.cause?.code ?? err.name;
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 25));
  }
  throw new Error(`${running.app.dir} not ready after ${Math.round((opts.timeoutMs ?? 90000) / 1000)} s (GET ${url}: ${last}); see ${rel(running.logFile)}`);
}

/**
 * SIGTERM, then SIGKILL after 10 s. Only apps this run started.
 * @param {RunningApp} running
 */
export async function stopApp(running) {
  if (!running.startedHere || !running.child || running.exited) return;
  running.child.kill('SIGTERM');
  const timer = setTimeout(() => running.child?.kill('SIGKILL'), 10000);
  await running.exit;
  clearTimeout(timer);
}

const rel = (p) => (p ? path.relative(process.cwd(), p) : '(no log)');
