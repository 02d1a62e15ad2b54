// The system under fault: the `faults` stack (Kafka + three PostgreSQL servers) and the four built
// apps, started by global-setup.ts and shared by every *.fault-spec.ts file (run one at a time).
// Servers and apps run detached with their output in .logs/faults/, and are found again through
// pid files, so any test file can stop, kill and restart them; the teardown stops whatever runs.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..', '..');
export const DATA_DIR = path.join(REPO, '.data', 'faults');
export const LOG_DIR = path.join(REPO, '.logs', 'faults');
// The profile's pid-file folder, in its format: `npm run infra:status` / `infra:stop` find the apps
// a killed fault run left, next to its Kafka and PostgreSQL.
const APPS_DIR = path.join(DATA_DIR, 'run');
const STATE_FILE = path.join(DATA_DIR, 'harness.json');
const STACK_CTL = path.join(__dirname, 'stack-ctl.mjs');

export type AppName = 'users' | 'orders' | 'payments' | 'gateway';
export type PartName = 'kafka' | 'postgres-users' | 'postgres-orders' | 'postgres-payments';

export const APPS: Record<AppName, { dir: string; port: number }> = {
  users: { dir: 'user-service', port: 4401 },
  orders: { dir: 'order-service', port: 4402 },
  payments: { dir: 'payment-service', port: 4403 },
  gateway: { dir: 'api-gateway', port: 4405 },
};
export const KAFKA_BROKER = 'localhost:9098';
export const DBS = {
  users: { port: 5444, database: 'userdb_faults' },
  orders: { port: 5445, database: 'orderdb_faults' },
  payments: { port: 5447, database: 'paymentdb_faults' },
} as const;
export const API_KEY = 'fault-suite-api-key-0123456789abcdef';
export const GATEWAY_URL = `http://localhost:${APPS.gateway.port}`;
export const appUrl = (name: AppName) => `http://localhost:${APPS[name].port}`;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Each app's environment against the faults stack. Limits are raised: the suite is its own load. */
export function baseEnv(name: AppName): Record<string, string> {
  const common: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    OTEL_SDK_DISABLED: 'true',
    API_KEY,
    PORT: String(APPS[name].port),
  };
  if (name === 'gateway') {
    return {
      ...common,
      USER_SERVICE_URL: appUrl('users'),
      ORDER_SERVICE_URL: appUrl('orders'),
      PAYMENT_SERVICE_URL: appUrl('payments'),
      // The suite counts what is lost, not how fast: on a busy 2-core runner a sign-up (argon2)
      // can queue past the 5 s default, and a 504 would hide whether it was stored.
      UPSTREAM_TIMEOUT_MS: '30000',
      THROTTLE_LIMIT: '1000000',
      THROTTLE_TTL_MS: '1000',
      THROTTLE_AUTH_LIMIT: '1000000',
      THROTTLE_AUTH_TTL_MS: '1000',
    };
  }
  const db = DBS[name];
  const env: Record<string, string> = {
    ...common,
    KAFKA_BROKER,
    DB_HOST: 'localhost',
    DB_PORT: String(db.port),
    DB_USERNAME: 'postgres',
    DB_PASSWORD: 'postgres',
    DB_DATABASE: db.database,
  };
  if (name === 'orders') env.USER_SERVICE_URL = appUrl('users');
  // One payment in ten is declined: every scenario sees both final statuses.
  if (name === 'payments') Object.assign(env, { PAYMENT_FAILURE_RATE: '0.1', PAYMENT_DELAY_MS: '0' });
  return env;
}

// ---------------------------------------------------------------------------------------------
// Infrastructure (through stack-ctl.mjs)

function runStackCtl(args: string[], timeoutMs = 120000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [STACK_CTL, ...args], { cwd: REPO, timeout: timeoutMs, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`stack-ctl ${args.join(' ')} failed: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

export const stackUp = () => runStackCtl(['up'], 5 * 60000);
export const stackDown = () => runStackCtl(['down'], 90000);

/** Stops one server (Kafka: controlled shutdown; PostgreSQL: fast shutdown); resolves when it is gone. */
export async function stopServer(part: PartName): Promise<number> {
  const t0 = Date.now();
  await runStackCtl(['stop', part]);
  return Date.now() - t0;
}

/** Starts the server again on the same data; resolves when it answers. */
export async function startServer(part: PartName): Promise<number> {
  const t0 = Date.now();
  await runStackCtl(['start', part]);
  return Date.now() - t0;
}

// ---------------------------------------------------------------------------------------------
// Apps

interface AppRecord {
  pid: number;
  marker: string;
  owner: number;
  env: Record<string, string>;
  startedAt: string;
}

const pidFile = (name: AppName) => path.join(APPS_DIR, `app-${name}.pid`);
export const appLog = (name: AppName) => path.join(LOG_DIR, `${name}.log`);
const mainJs = (name: AppName) => path.join(REPO, APPS[name].dir, 'dist', 'main.js');

function readRecord(name: AppName): AppRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(pidFile(name), 'utf8')) as AppRecord;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** The app's live pid, when it is ours (its command line still names its dist/main.js). */
export function appPid(name: AppName): number | undefined {
  const rec = readRecord(name);
  if (!rec || !isAlive(rec.pid)) return undefined;
  try {
    if (!fs.readFileSync(`/proc/${rec.pid}/cmdline`, 'utf8').includes(rec.marker)) return undefined;
  } catch {
    return undefined;
  }
  return rec.pid;
}

/**
 * Starts an app (`node <app>/dist/main.js`, detached, output appended to .logs/faults/<name>.log)
 * with its base environment plus `overrides`; resolves with its pid once /health/ready is 200.
 */
export async function startApp(name: AppName, overrides: Record<string, string> = {}, readyTimeoutMs = 90000): Promise<number> {
  if (appPid(name)) throw new Error(`${name} is already running (pid ${appPid(name)})`);
  // Another run's app on the port would answer the readiness probe, and be tested instead.
  if ((await probe(`${appUrl(name)}/health/live`, 1000)).status !== 0) {
    throw new Error(`port ${APPS[name].port} is already in use (another fault-suite run?): ${name} cannot start`);
  }
  fs.mkdirSync(APPS_DIR, { recursive: true });
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const env = { ...baseEnv(name), ...overrides };
  const fd = fs.openSync(appLog(name), 'a');
  fs.writeSync(fd, `\n===== ${new Date().toISOString()} starting ${name} ${JSON.stringify(overrides)} =====\n`);
  const child = spawn(process.execPath, [mainJs(name)], {
    cwd: path.join(REPO, APPS[name].dir),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  fs.closeSync(fd);
  child.unref();
  if (!child.pid) throw new Error(`could not start ${name}`);
  const rec: AppRecord = { pid: child.pid, marker: mainJs(name), owner: process.pid, env, startedAt: new Date().toISOString() };
  fs.writeFileSync(pidFile(name), JSON.stringify(rec) + '\n');
  await waitReady(name, readyTimeoutMs, child.pid);
  return child.pid;
}

/** GET <app>/health/ready until 200. */
export async function waitReady(name: AppName, timeoutMs = 60000, pid = appPid(name)): Promise<number> {
  const t0 = Date.now();
  let last = '';
  while (Date.now() - t0 < timeoutMs) {
    if (pid && !isAlive(pid)) throw new Error(`${name} exited before it was ready; see ${appLog(name)}:\n${tail(appLog(name), 15)}`);
    const res = await probe(`${appUrl(name)}/health/ready`);
    if (res.status === 200) return Date.now() - t0;
    last = res.status ? `${res.status} ${res.text.slice(0, 300)}` : res.text;
    await sleep(250);
  }
  throw new Error(`${name} not ready after ${timeoutMs / 1000} s (last: ${last}); see ${appLog(name)}:\n${tail(appLog(name), 15)}`);
}

export async function probe(url: string, timeoutMs = 3000): Promise<{ status: number; text: string; ms: number }> {
  const t0 = Date.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, text: await res.text(), ms: Date.now() - t0 };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { status: 0, text: e.cause?.code ?? e.name, ms: Date.now() - t0 };
  }
}

/**
 * Sends a signal to an app and waits until it has exited.
 * @returns how long it took and how it ended (the exit code is not visible for a detached process)
 */
export async function stopApp(name: AppName, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30000): Promise<{ ms: number; killed: boolean }> {
  const pid = appPid(name);
  if (!pid) return { ms: 0, killed: false };
  const t0 = Date.now();
  process.kill(pid, signal);
  while (isAlive(pid)) {
    if (Date.now() - t0 > timeoutMs) {
      process.kill(pid, 'SIGKILL');
      await sleep(500);
      fs.rmSync(pidFile(name), { force: true });
      return { ms: Date.now() - t0, killed: true };
    }
    await sleep(50);
  }
  fs.rmSync(pidFile(name), { force: true });
  return { ms: Date.now() - t0, killed: signal === 'SIGKILL' };
}

/** Stops every app this suite started (teardown; also after a killed run). */
export async function stopAllApps(): Promise<void> {
  await Promise.all((Object.keys(APPS) as AppName[]).map((n) => stopApp(n, 'SIGTERM', 15000)));
}

/** Makes sure the whole system runs as a scenario expects to find it: infra up, four apps ready on base env. */
export async function ensureAllRunning(): Promise<void> {
  for (const name of Object.keys(APPS) as AppName[]) {
    const rec = readRecord(name);
    const pid = appPid(name);
    const onBaseEnv = rec && JSON.stringify(rec.env) === JSON.stringify(baseEnv(name));
    if (pid && !onBaseEnv) await stopApp(name);
    if (!appPid(name)) await startApp(name);
  }
  await Promise.all((Object.keys(APPS) as AppName[]).map((n) => waitReady(n, 60000)));
}

/** Resident memory of a process in MB (Linux /proc). */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : 0;
}

/** CPU time a process has used so far, in seconds (user + system, Linux /proc). */
export function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
}

export function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines - 1).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Log lines an app wrote since a byte offset (see logSize), parsed when JSON. */
export function logSince(name: AppName, offset: number): { raw: string; rec?: Record<string, unknown> }[] {
  const buf = fs.readFileSync(appLog(name));
  return buf
    .subarray(offset)
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((raw) => {
      try {
        return { raw, rec: JSON.parse(raw) as Record<string, unknown> };
      } catch {
        return { raw };
      }
    });
}

export const logSize = (name: AppName) => (fs.existsSync(appLog(name)) ? fs.statSync(appLog(name)).size : 0);

// ---------------------------------------------------------------------------------------------
// State shared between global setup, the test files and teardown

export interface HarnessState {
  startedAt: string;
  stackStartMs: number;
  appsStartMs: number;
}

export function writeState(state: HarnessState): void {
  fs.mkdirSync(DATA_DIR, { recursive: true });
  fs.writeFileSync(STATE_FILE, JSON.stringify(state, null, 2) + '\n');
}

export function readState(): HarnessState | undefined {
  try {
    return JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as HarnessState;
  } catch {
    return undefined;
  }
}
