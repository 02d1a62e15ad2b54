// Brings up what every cluster scenario runs against, once for the whole suite: the cluster
// profile (3 KRaft brokers, one PostgreSQL per service, REPLICAS instances of every app, nginx on
// 3005), held by cluster-host.mjs, a detached process the test files call. global-teardown.ts stops
// it; so does a Ctrl+C, and the host stops the cluster by itself when Jest goes away.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { HOST, HOST_LOG, LOG_DIR, REPLICAS, REPO, STATE_FILE, SUITE_DIR, alive, readHostState, sleep, stopHost, tail } from './support/cluster';

const START_TIMEOUT_MS = 6 * 60000;
const APP_DIRS = ['api-gateway', 'user-service', 'order-service', 'payment-service'];

export default async function globalSetup(): Promise<void> {
  const say = (m: string) => process.stderr.write(`[cluster] ${m}\n`);
  for (const dir of APP_DIRS) {
    const dist = path.join(REPO, dir, 'dist', 'main.js');
    if (!fs.existsSync(dist)) throw new Error(`${dist} is missing: build the apps first (npm test / npm run test:cluster do)`);
  }
  await stopHost(); // an earlier run killed before its teardown
  fs.mkdirSync(SUITE_DIR, { recursive: true });
  fs.mkdirSync(LOG_DIR, { recursive: true });
  fs.rmSync(STATE_FILE, { force: true });
  fs.rmSync(path.join(LOG_DIR, 'measurements.json'), { force: true });

  const t0 = Date.now();
  say(`starting the cluster profile: 3 brokers, ${REPLICAS} instances of every app, nginx on 3005 (log: ${path.relative(REPO, HOST_LOG)})`);
  const fd = fs.openSync(HOST_LOG, 'w');
  const host = spawn(process.execPath, [HOST, STATE_FILE, String(REPLICAS)], {
    cwd: REPO,
    env: {
      ...process.env,
      // The suite counts what is lost, not how fast: a sign-up (argon2) queued behind a restart on
      // 2 cores may take longer than the 5 s default, and a 504 would hide whether it was stored.
      UPSTREAM_TIMEOUT_MS: '30000',
      // One client (this suite) sends every request: the per-client limit is not what it tests.
      THROTTLE_LIMIT: '1000000',
      THROTTLE_TTL_MS: '1000',
      // One payment in ten is declined: every scenario sees both outcomes.
      PAYMENT_FAILURE_RATE: '0.1',
      PAYMENT_DELAY_MS: '0',
      LOG_LEVEL: 'info',
      OTEL_SDK_DISABLED: 'true',
    },
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  fs.closeSync(fd);
  host.unref();
  stopOnSignals(say);
  while (!fs.existsSync(STATE_FILE)) {
    if (!host.pid || !alive(host.pid)) throw new Error(`the cluster host exited while starting; ${path.relative(REPO, HOST_LOG)}:\n${tail(HOST_LOG, 30)}`);
    if (Date.now() - t0 > START_TIMEOUT_MS) {
      await stopHost();
      throw new Error(`the cluster was not up after ${START_TIMEOUT_MS / 1000} s; ${path.relative(REPO, HOST_LOG)}:\n${tail(HOST_LOG, 30)}`);
    }
    await sleep(500);
  }
  await sleep(100); // the file is written in one call; give it a moment to be whole
  const state = readHostState();
  say(`cluster up in ${((Date.now() - t0) / 1000).toFixed(1)} s (entry ${state.entry}, brokers ${state.env.KAFKA_BROKER}; logs in .logs/cluster/)`);
  fs.writeFileSync(path.join(LOG_DIR, 'start.json'), JSON.stringify({ startMs: Date.now() - t0, at: new Date().toISOString() }) + '\n');
}

/** Jest dies on Ctrl+C without its teardown: stop the host (and with it the cluster) first. */
function stopOnSignals(say: (m: string) => void): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      say(`${signal}: stopping the cluster`);
      void stopHost().finally(() => process.exit(130));
    });
  }
}
