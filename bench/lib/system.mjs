// The system under test: the profile's Kafka and PostgreSQL (started or reused through
// infra/local), and the four built apps (`node dist/main.js`), started here or found running.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { REPO_ROOT, getProfile } from '../../infra/local/profiles.mjs';
import { isPortServed } from '../../infra/local/procs.mjs';
import { pidListeningOn } from './proc.mjs';

/**
 * @typedef {'dev' | 'test' | 'bench'} ProfileName
 * @typedef {{ name: 'gateway' | 'users' | 'orders' | 'payments', dir: string, service: string, ports: Record<ProfileName, number>, db?: 'users' | 'orders' | 'payments' }} App
 */

/**
 * Where the apps' folders are: this repo, or (BENCH_APPS_ROOT) a copy holding another build of them,
 * for before/after comparisons on the same stack.
 */
const APPS_ROOT = process.env.BENCH_APPS_ROOT ? path.resolve(process.env.BENCH_APPS_ROOT) : REPO_ROOT;

/** @type {App[]} Start order matters for readiness: the gateway is ready only when the services are. */
export const APPS = [
  { name: 'users', dir: 'user-service', service: 'user-service', ports: { dev: 3001, test: 4001, bench: 5001 }, db: 'users' },
  { name: 'orders', dir: 'order-service', service: 'order-service', ports: { dev: 3002, test: 4002, bench: 5002 }, db: 'orders' },
  { name: 'payments', dir: 'payment-service', service: 'payment-service', ports: { dev: 3003, test: 4003, bench: 5003 }, db: 'payments' },
  { name: 'gateway', dir: 'api-gateway', service: 'api-gateway', ports: { dev: 3005, test: 4005, bench: 5005 } },
];

export const appByName = (name) => /** @type {App} */ (APPS.find((a) => a.name === name));
export const appUrl = (app, profile) => `http://localhost:${app.ports[profile]}`;

/**
 * The key the bench's apps share (services demand it, the gateway sends it), new each run: the
 * internal hop is measured with its production guard on. Apps found running keep their own
 * settings; then API_KEY from the environment is used, if any.
 */
export const BENCH_API_KEY = process.env.API_KEY ?? crypto.randomBytes(24).toString('base64url');

/**
 * Environment of one app started by the bench: the profile's infrastructure, `npm start`'s
 * defaults otherwise, the gateway's rate limits lifted (a benchmark is one client sending a lot).
 * @param {App} app
 * @param {ProfileName} profileName
 * @param {Record<string, string>} [extra]
 */
export function appEnv(app, profileName, extra = {}) {
  const profile = getProfile(profileName);
  const env = {
    PORT: String(app.ports[profileName]),
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    API_KEY: BENCH_API_KEY,
    KAFKA_BROKER: `localhost:${profile.kafka.port}`,
    USER_SERVICE_URL: appUrl(appByName('users'), profileName),
    ORDER_SERVICE_URL: appUrl(appByName('orders'), profileName),
    PAYMENT_SERVICE_URL: appUrl(appByName('payments'), profileName),
    THROTTLE_LIMIT: '1000000000',
    THROTTLE_AUTH_LIMIT: '1000000000',
    PAYMENT_FAILURE_RATE: '0',
    PAYMENT_DELAY_MS: '0',
  };
  const db = profile.postgres.find((d) => d.name === app.db);
  if (db) {
    Object.assign(env, {
      DB_HOST: 'localhost',
      DB_PORT: String(db.port),
      DB_USERNAME: 'postgres',
      DB_PASSWORD: 'postgres',
      DB_DATABASE: db.database,
    });
  }
  return { ...env, ...extra };
}

/**
 * @typedef {{
 *   app: App, pid: number, startedHere: boolean, logFile?: string,
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
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), 'dist/main.js'], {
    cwd: path.join(APPS_ROOT, app.dir),
    env: { ...process.env, ...appEnv(app, profile, opts.extraEnv) },
    stdio: ['ignore', fd, fd],
  });
  fs.closeSync(fd);
  /** @type {RunningApp} */
  const running = { app, pid: child.pid ?? 0, startedHere: true, logFile, child };
  running.exit = new Promise((resolve) => {
    child.on('error', (err) => resolve((running.exited = `could not start: ${err.message}`)));
    child.on('exit', (code, signal) => resolve((running.exited = signal ? `killed by ${signal}` : `exit code ${code}`)));
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
  if (!(await isPortServed(app.ports[profile]))) return undefined;
  return { app, pid: pidListeningOn(app.ports[profile]) ?? 0, startedHere: false };
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
