// The cluster profile as a program: three Kafka brokers, one PostgreSQL per service, N instances of
// every app and nginx on 3005 in front of the gateways. `npm run start:cluster` is a terminal UI
// around it; a test harness drives the same object. Needs infra/local's dependencies (kafkajs) and
// the apps built (dist/), as `npm run start:cluster` makes sure.
//
//   import { startCluster } from '../infra/local/cluster.mjs';
//   const cluster = await startCluster({ replicas: 2, log: console.log });   // all ready, or throws
//   cluster.brokers()                       [{ id, port, pid, alive }]
//   await cluster.metadata()                { brokers: [ids], topics: [{ name, partitions: [{ partition, leader, replicas, isr }] }] }
//   await cluster.busiestLeader()           id of the broker that leads most partitions
//   cluster.signalBroker(id, 'SIGKILL')     kill -9 / 'SIGSTOP' / 'SIGCONT' one broker by its pid
//   await cluster.stopBroker(id)            controlled shutdown (SIGTERM, bounded wait)
//   await cluster.startBroker(id)           start a stopped or killed broker again; resolves when it answers
//   await cluster.waitInSync(timeoutMs)     every partition has all 3 replicas in sync again
//   cluster.instances()                     [{ name: 'orders-2', app, instance, port, pid, alive }]
//   cluster.signalInstance('orders', 2, 'SIGKILL')
//   await cluster.stopInstance('orders', 2) SIGTERM, wait (10 s, then SIGKILL)
//   await cluster.startInstance('orders', 2) start it again; resolves when /health/ready is 200
//   cluster.entry                           'http://localhost:3005' (nginx)
//   cluster.env                             KAFKA_BROKER (all three), DB_* of the profile, for clients
//   await cluster.stop()                    nginx, the apps, the brokers, PostgreSQL; nothing left
//
// Every process has a pid file in .data/cluster/run/ (kafka-1..3, postgres-*, app-<app>-<n>,
// nginx), so `npm run infra:status` / `infra:stop` see what a killed run left.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { appEnv, appPath, appPort, APPS, MAX_REPLICAS } from '../../scripts/lib/apps.mjs';
import { startApp, stopApp, waitReady } from '../../scripts/lib/app-process.mjs';
import { startBalancer } from './balancer.mjs';
import { kafkaClient, spawnKafka, topicList, waitForKafka } from './kafka.mjs';
import { brokerList, getProfile, kafkaNodes, runDir } from './profiles.mjs';
import { isAlive, isPortServed, ownLiveProcess, removePidFile, stopPid, tailFile, writePidFile } from './procs.mjs';
import { kafkaNodeName, startStack } from './stack.mjs';

export const CLUSTER = getProfile('cluster');
export const ENTRY_PORT = 3005;
const READY_TIMEOUT_MS = 120000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @typedef {import('../../scripts/lib/app-process.mjs').RunningApp} RunningApp
 * @typedef {{ name: string, port: number, pid: number | undefined, alive: boolean }} ProcInfo
 */

/**
 * Refuses a replica count the port scheme cannot hold.
 * @param {unknown} n
 */
export function checkReplicas(n) {
  const value = Number(n);
  if (!Number.isInteger(value) || value < 1 || value > MAX_REPLICAS) {
    throw new Error(`--replicas ${n}: expected an integer 1-${MAX_REPLICAS} (instance n of an app listens on 31<n><app digit>)`);
  }
  return value;
}

/**
 * Starts the whole cluster profile; on any failure stops what it started and throws.
 * @param {{ replicas?: number, log?: (m: string) => void, quietApps?: boolean, apps?: import('../../scripts/lib/apps.mjs').App[],
 *   onStack?: (stack: import('./stack.mjs').Stack) => void, onAppStart?: (r: RunningApp) => void }} [opts]
 *   quietApps: app output to the log files only; onStack / onAppStart: told as soon as things exist,
 *   so a caller that is interrupted mid-start can stop them
 */
export async function startCluster(opts = {}) {
  const replicas = checkReplicas(opts.replicas ?? 2);
  const log = opts.log ?? ((m) => console.log(`[cluster] ${m}`));
  const apps = opts.apps ?? APPS;
  const cluster = new Cluster(replicas, log, Boolean(opts.quietApps), apps);
  try {
    await cluster.claimLeftovers();
    await refuseBusyPorts(apps, replicas);
    cluster.stack = await startStack('cluster', { log });
    opts.onStack?.(cluster.stack);
    // Each app applies its migrations at start without a lock: with several instances starting at
    // once on a new database they would race. The services' migrate.js takes an advisory lock (as
    // Kubernetes' init containers run it); after it, the instances find nothing pending.
    await Promise.all(apps.filter((a) => a.db).map((app) => migrate(app, replicas, log)));
    // Services first (the gateways' readiness asks them), all instances of a kind at once.
    for (const kind of [['users', 'orders', 'payments'], ['gateway']]) {
      const batch = apps.filter((a) => kind.includes(a.name)).flatMap((app) => range(replicas).map((i) => cluster.spawn(app, i)));
      batch.forEach((r) => opts.onAppStart?.(r));
      await Promise.all(batch.map((r) => waitReady(r, 'cluster', READY_TIMEOUT_MS)));
    }
    const gateway = apps.find((a) => a.name === 'gateway');
    if (gateway) {
      cluster.balancer = await startBalancer({
        port: ENTRY_PORT,
        upstreams: range(replicas).map((i) => appPort(gateway, 'cluster', i)),
        dir: path.join(CLUSTER.dataDir, 'nginx'),
        logDir: CLUSTER.logDir,
        pidFile: path.join(runDir(CLUSTER), 'nginx.pid'),
      });
    }
    return cluster;
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

const range = (n) => Array.from({ length: n }, (_, i) => i + 1);

/**
 * Fails, naming them, when ports the cluster needs are served by something not of this profile
 * (`npm start`'s gateway on 3005, its broker on 9094): reusing a lone broker as one of the three
 * would make no cluster. The profile's own brokers a killed run left are taken over by the stack.
 * @param {import('../../scripts/lib/apps.mjs').App[]} apps
 * @param {number} replicas
 */
async function refuseBusyPorts(apps, replicas) {
  const ports = [ENTRY_PORT, ...apps.flatMap((app) => range(replicas).map((i) => appPort(app, 'cluster', i)))];
  for (const node of kafkaNodes(CLUSTER)) {
    if (!ownLiveProcess(path.join(runDir(CLUSTER), `${kafkaNodeName(CLUSTER, node)}.pid`))) ports.push(node.port, node.controllerPort);
  }
  const busy = [];
  for (const port of ports) if (await isPortServed(port)) busy.push(port);
  if (busy.length) throw new Error(`ports ${busy.join(', ')} are in use (npm start? docker compose?): stop what serves them first`);
}

/**
 * `node dist/database/migrate.js` of one service against the cluster's database; output in
 * .logs/cluster/<app>-migrate.log.
 * @param {import('../../scripts/lib/apps.mjs').App} app
 * @param {number} replicas
 * @param {(m: string) => void} log
 */
async function migrate(app, replicas, log) {
  const logFile = path.join(CLUSTER.logDir, `${app.name}-migrate.log`);
  fs.mkdirSync(CLUSTER.logDir, { recursive: true });
  const fd = fs.openSync(logFile, 'w');
  const child = spawn(process.execPath, [appPath(app, 'dist', 'database', 'migrate.js')], {
    cwd: appPath(app),
    env: appEnv(app, 'cluster', process.env, { instance: 1, replicas }),
    stdio: ['ignore', fd, fd],
  });
  fs.closeSync(fd);
  const code = await new Promise((resolve) => {
    child.on('error', (err) => resolve(err.message));
    child.on('exit', (c, signal) => resolve(c ?? signal));
  });
  if (code !== 0) throw new Error(`${app.dir}: migrations failed (${code}); see ${logFile}:\n${tailFile(logFile, 15)}`);
  log(fs.readFileSync(logFile, 'utf8').trim().split('\n').pop() ?? `${app.dir}: migrated`);
}

export class Cluster {
  /** Brokers stopped with SIGSTOP: they accept connections and answer nothing. */
  #paused = new Set();

  /**
   * @param {number} replicas
   * @param {(m: string) => void} log
   * @param {boolean} quietApps
   * @param {import('../../scripts/lib/apps.mjs').App[]} apps
   */
  constructor(replicas, log, quietApps, apps) {
    this.replicas = replicas;
    this.log = log;
    this.quietApps = quietApps;
    this.apps = apps;
    this.entry = `http://localhost:${ENTRY_PORT}`;
    this.env = { KAFKA_BROKER: brokerList(CLUSTER) };
    /** @type {import('./stack.mjs').Stack | undefined} */
    this.stack = undefined;
    /** @type {{ pid: number, version: string, conf: string, stop: () => Promise<void> } | undefined} */
    this.balancer = undefined;
    /** @type {Map<string, RunningApp>} by `<app>-<instance>` */
    this.running = new Map();
    this.stopping = false;
  }

  /** Apps a killed run left in the cluster profile run old code and settings: stop them first. */
  async claimLeftovers() {
    for (const app of this.apps) {
      for (const i of range(MAX_REPLICAS)) {
        const pidFile = path.join(runDir(CLUSTER), `app-${app.name}-${i}.pid`);
        const left = ownLiveProcess(pidFile);
        if (left?.ownerAlive) throw new Error(`${app.name}-${i} already runs under another start:cluster (pid ${left.owner}); stop that one first`);
        if (left) {
          this.log(`${app.name}-${i}: a killed run left it running (pid ${left.pid}); stopping it`);
          await stopPid(left.pid, { timeoutMs: 10000, name: `${app.name}-${i}` });
          removePidFile(pidFile);
        }
      }
    }
    const nginx = ownLiveProcess(path.join(runDir(CLUSTER), 'nginx.pid'));
    if (nginx?.ownerAlive) throw new Error(`nginx on ${ENTRY_PORT} belongs to another start:cluster (pid ${nginx.owner}); stop that one first`);
    if (nginx) {
      this.log(`nginx: a killed run left it running (pid ${nginx.pid}); stopping it`);
      await stopPid(nginx.pid, { signal: 'SIGQUIT', timeoutMs: 10000, name: 'nginx' });
      removePidFile(path.join(runDir(CLUSTER), 'nginx.pid'));
    }
  }

  /**
   * @param {import('../../scripts/lib/apps.mjs').App} app
   * @param {number} instance
   */
  spawn(app, instance) {
    const r = startApp(app, 'cluster', { logDir: CLUSTER.logDir, instance, replicas: this.replicas, quiet: this.quietApps });
    this.running.set(r.name, r);
    return r;
  }

  // ---- brokers -------------------------------------------------------------------------------

  /** @returns {(ProcInfo & { id: number })[]} */
  brokers() {
    return kafkaNodes(CLUSTER).map((node) => {
      const part = this.#brokerPart(node.id);
      return { id: node.id, name: part.name, port: node.port, pid: part.pid, alive: Boolean(part.pid && isAlive(part.pid)) };
    });
  }

  /** @param {number} id */
  #brokerPart(id) {
    const node = kafkaNodes(CLUSTER).find((n) => n.id === id);
    if (!node) throw new Error(`no broker ${id} (the cluster has ${kafkaNodes(CLUSTER).map((n) => n.id).join(', ')})`);
    const part = this.stack?.parts.find((p) => p.name === kafkaNodeName(CLUSTER, node));
    if (!part) throw new Error(`broker ${id} is not part of this run (the stack has not started it)`);
    return part;
  }

  /**
   * Sends a signal to one broker's JVM: SIGKILL (a crash), SIGSTOP / SIGCONT (a stall).
   * @param {number} id
   * @param {NodeJS.Signals} signal
   */
  signalBroker(id, signal) {
    const part = this.#brokerPart(id);
    if (!part.pid) throw new Error(`broker ${id} is not running`);
    process.kill(part.pid, signal);
    if (signal === 'SIGSTOP') this.#paused.add(id);
    else this.#paused.delete(id);
    this.log(`broker ${id} (pid ${part.pid}): ${signal}`);
  }

  /** Controlled shutdown of one broker. @param {number} id */
  async stopBroker(id) {
    const part = this.#brokerPart(id);
    if (part.pid) await stopPid(part.pid, { timeoutMs: 30000, name: part.name, log: this.log });
    if (part.pidFile) removePidFile(part.pidFile);
    part.pid = undefined;
  }

  /**
   * Starts a broker that was stopped or killed again, with its own storage; resolves when it answers.
   * @param {number} id
   */
  async startBroker(id) {
    const part = this.#brokerPart(id);
    if (part.pid && isAlive(part.pid)) throw new Error(`broker ${id} still runs (pid ${part.pid})`);
    const dir = path.join(CLUSTER.dataDir, part.name);
    const props = path.join(dir, 'server.properties');
    const { child } = spawnKafka(dir, props, /** @type {string} */ (part.logFile));
    let exited = '';
    child.on('exit', (code, signal) => (exited = `the JVM exited (${signal ?? `code ${code}`})`));
    if (!child.pid) throw new Error(`broker ${id}: java did not start`);
    part.pid = child.pid;
    part.started = true;
    part.afterStop = undefined;
    if (part.pidFile) writePidFile(part.pidFile, child.pid, props);
    await waitForKafka(`localhost:${part.port}`, { timeoutMs: 60000, failed: () => exited });
    this.log(`broker ${id}: started again (pid ${child.pid})`);
  }

  /**
   * Brokers registered in the cluster and every topic's partitions (leader, replicas, in-sync).
   * @returns {Promise<{ brokers: number[], topics: { name: string, partitions: { partitionId: number, leader: number, replicas: number[], isr: number[] }[] }[] }>}
   */
  async metadata() {
    // Asked of one running broker at a time: bootstrapping from the full list would keep trying a
    // killed or paused broker first (kafkajs starts at the head of the list; these reads do not retry).
    const candidates = this.brokers().filter((b) => b.alive && !this.#paused.has(b.id));
    let failure = new Error('no broker is running');
    for (const broker of candidates) {
      const admin = kafkaClient(`localhost:${broker.port}`).admin();
      try {
        await admin.connect();
        const { brokers } = await admin.describeCluster();
        const { topics } = await admin.fetchTopicMetadata({ topics: topicList().names });
        return { brokers: brokers.map((b) => b.nodeId).sort(), topics: topics.map((t) => ({ name: t.name, partitions: t.partitions })) };
      } catch (err) {
        failure = new Error(`broker ${broker.id}: ${err.message}`);
      } finally {
        await admin.disconnect().catch(() => {});
      }
    }
    throw failure;
  }

  /** The broker that leads most of our partitions (the one whose loss moves most leaders). */
  async busiestLeader() {
    const { topics } = await this.metadata();
    const counts = new Map();
    for (const p of topics.flatMap((t) => t.partitions)) counts.set(p.leader, (counts.get(p.leader) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
  }

  /**
   * Resolves when every partition of every topic has all its replicas in sync.
   * @param {number} [timeoutMs]
   */
  async waitInSync(timeoutMs = 60000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lagging = await this.metadata()
        .then(({ topics }) => topics.flatMap((t) => t.partitions.filter((p) => p.isr.length < p.replicas.length).map((p) => `${t.name}/${p.partitionId}`)))
        .catch((err) => [err.message]);
      if (lagging.length === 0) return;
      if (Date.now() > deadline) throw new Error(`not in sync after ${timeoutMs / 1000} s: ${lagging.slice(0, 5).join(', ')}`);
      await sleep(500);
    }
  }

  // ---- app instances -------------------------------------------------------------------------

  /** @returns {(ProcInfo & { app: string, instance: number })[]} */
  instances() {
    return this.apps.flatMap((app) =>
      range(this.replicas).map((instance) => {
        const r = this.running.get(`${app.name}-${instance}`);
        const pid = r && !r.exited ? r.child.pid : undefined;
        return { name: `${app.name}-${instance}`, app: app.name, instance, port: appPort(app, 'cluster', instance), pid, alive: Boolean(pid && isAlive(pid)) };
      }),
    );
  }

  /** @param {string} appName @param {number} instance */
  #instance(appName, instance) {
    const r = this.running.get(`${appName}-${instance}`);
    if (!r) throw new Error(`no instance ${appName}-${instance} (apps: ${this.apps.map((a) => a.name).join(', ')}; instances 1-${this.replicas})`);
    return r;
  }

  /**
   * Sends a signal to one app instance (SIGKILL: a crash; SIGSTOP / SIGCONT: a stall).
   * @param {string} appName @param {number} instance @param {NodeJS.Signals} signal
   */
  signalInstance(appName, instance, signal) {
    const r = this.#instance(appName, instance);
    if (r.exited || !r.child.pid) throw new Error(`${r.name} is not running`);
    if (signal === 'SIGKILL' || signal === 'SIGTERM') r.stopping = true;
    r.child.kill(signal);
    this.log(`${r.name} (pid ${r.child.pid}): ${signal}`);
  }

  /** SIGTERM (graceful), wait up to 10 s, then SIGKILL. @param {string} appName @param {number} instance */
  async stopInstance(appName, instance) {
    await stopApp(this.#instance(appName, instance));
  }

  /**
   * Starts a stopped or killed instance again on its port; resolves when it is ready.
   * @param {string} appName @param {number} instance @param {Record<string, string>} [extraEnv]
   */
  async startInstance(appName, instance, extraEnv) {
    const old = this.#instance(appName, instance);
    if (!old.exited) throw new Error(`${old.name} still runs (pid ${old.child.pid})`);
    const r = startApp(old.app, 'cluster', { logDir: CLUSTER.logDir, instance, replicas: this.replicas, quiet: this.quietApps, extraEnv });
    this.running.set(r.name, r);
    await waitReady(r, 'cluster', READY_TIMEOUT_MS);
    return r;
  }

  /** Everything this run started, in order: nginx, the apps, then the brokers and PostgreSQL. */
  async stop() {
    if (this.stopping) return;
    this.stopping = true;
    // A process stopped with SIGSTOP would sit out its SIGTERM until the SIGKILL deadline.
    const paused = [...(this.stack?.parts ?? []).map((p) => p.pid), ...[...this.running.values()].map((r) => (r.exited ? undefined : r.child.pid))];
    for (const pid of paused) if (pid && isAlive(pid)) process.kill(pid, 'SIGCONT');
    await this.balancer?.stop();
    await Promise.all([...this.running.values()].map(stopApp));
    await this.stack?.stop();
  }
}
