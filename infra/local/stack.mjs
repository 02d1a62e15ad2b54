// The no-Docker local stack: one Kafka broker (three in the cluster profile) and one PostgreSQL
// server per service, per profile.
// Reuses whatever already serves a port (docker compose, another run), starts the rest, creates the
// databases and topics, and stops exactly what it started.
import fs from 'node:fs';
import path from 'node:path';
import { ensureKafkaJars, ensureTopics, newClusterId, prepareKafka, spawnKafka, storedClusterId, topicList, waitForKafka } from './kafka.mjs';
import { ensureDatabase, preparePostgres, spawnPostgres, waitForPostgres } from './postgres.mjs';
import { PG_PASSWORD, PG_USER, brokerList, getProfile, infraEnv, kafkaNodes, postgresDataRoot, runDir } from './profiles.mjs';
import {
  acquireLock,
  isAlive,
  isPortServed,
  ownLiveProcess,
  readPidFile,
  removePidFile,
  stopPid,
  tailFile,
  writePidFile,
} from './procs.mjs';

export { PROFILES, getProfile, infraEnv, REPO_ROOT } from './profiles.mjs';
export { ensureKafkaJars, topicList } from './kafka.mjs';

const KAFKA_READY_MS = 60000;
const PG_READY_MS = 30000;
const KAFKA_STOP_MS = 30000; // includes writing the class-data archive once
const PG_STOP_MS = 15000;

/**
 * One server of the stack: started by us (we stop it) or found running (we leave it alone).
 * @typedef {{
 *   kind: 'kafka' | 'postgres', name: string, port: number, database?: string,
 *   started: boolean, adopted?: boolean, pid?: number, pidFile?: string, logFile?: string, note: string,
 *   afterStop?: (clean: boolean) => void,
 * }} Part
 * @typedef {{
 *   profile: import('./profiles.mjs').Profile,
 *   parts: Part[],
 *   env: Record<string, string>,
 *   startedAny: boolean,
 *   stop: () => Promise<void>,
 * }} Stack
 * @typedef {{ log?: (m: string) => void, keepRunning?: boolean }} StartOptions
 */

/**
 * Starts (or reuses) a profile's Kafka and PostgreSQL servers; resolves when all are ready, the
 * databases exist and the topics are created.
 * @param {import('./profiles.mjs').ProfileName} profileName
 * @param {StartOptions} [opts] keepRunning: leave started servers running when this process exits
 * @returns {Promise<Stack>}
 */
export async function startStack(profileName, opts = {}) {
  const profile = getProfile(profileName);
  const log = opts.log ?? ((m) => console.log(`[stack:${profile.name}] ${m}`));
  fs.mkdirSync(profile.logDir, { recursive: true });
  fs.mkdirSync(runDir(profile), { recursive: true });
  const release = await acquireLock(path.join(runDir(profile), 'starting.lock'), {
    timeoutMs: 5 * 60 * 1000,
    onWait: (pid) => log(`another run (pid ${pid}) is starting the ${profile.name} stack: waiting for it`),
  });
  try {
    return await startLocked(profile, log, opts);
  } finally {
    release();
  }
}

/**
 * @param {import('./profiles.mjs').Profile} profile
 * @param {(m: string) => void} log
 * @param {StartOptions} opts
 * @returns {Promise<Stack>}
 */
async function startLocked(profile, log, opts) {
  /** @type {Part[]} */
  const parts = []; // filled as servers spawn, so a stop (or our exit) mid-start still reaches them
  const stack = { profile, parts, env: infraEnv(profile), startedAny: false, stop: () => stopParts(parts, log) };
  if (!opts.keepRunning) stopOnExit(parts);
  const nodes = kafkaNodes(profile);
  const clusterId = nodes.length > 1 ? kafkaClusterId(profile) : undefined;
  const results = await Promise.allSettled([
    ...nodes.map((node) => startKafka(profile, node, clusterId, log, parts)),
    ...profile.postgres.map((db) => startPostgres(profile, db, log, parts)),
  ]);
  const failure = results.find((r) => r.status === 'rejected');
  if (failure) {
    await stopParts(parts, log);
    throw /** @type {PromiseRejectedResult} */ (failure).reason;
  }
  try {
    const { created } = await ensureTopics(brokerList(profile), profile.topics);
    log(created.length ? `created topics: ${created.join(', ')}` : `topics present (${topicList().names.length})`);
  } catch (err) {
    await stopParts(parts, log);
    throw new Error(`creating topics failed: ${err.message}`);
  }
  stack.startedAny = parts.some((p) => p.started);
  return stack;
}

/**
 * Name of a Kafka node's pid file, log and data folder: `kafka` alone, `kafka-<id>` in a cluster.
 * @param {import('./profiles.mjs').Profile} profile
 * @param {import('./profiles.mjs').KafkaNode} node
 */
export const kafkaNodeName = (profile, node) => (kafkaNodes(profile).length > 1 ? `kafka-${node.id}` : 'kafka');

/**
 * Every node of a cluster is formatted with one cluster id: the one a node already holds (a
 * wiped or new node joins it), else a new one.
 * @param {import('./profiles.mjs').Profile} profile
 */
function kafkaClusterId(profile) {
  if (profile.wipeOnStart) return newClusterId();
  for (const node of kafkaNodes(profile)) {
    const id = storedClusterId(path.join(profile.dataDir, kafkaNodeName(profile, node)));
    if (id) return id;
  }
  return newClusterId();
}

/**
 * The node's place in its cluster, as kafka.mjs writes it into server.properties.
 * @param {import('./profiles.mjs').Profile} profile
 * @param {import('./profiles.mjs').KafkaNode} node
 * @returns {import('./kafka.mjs').NodeSpec}
 */
export const kafkaNodeSpec = (profile, node) => ({ ...node, voters: kafkaNodes(profile), topics: profile.topics });

/**
 * @param {import('./profiles.mjs').Profile} profile
 * @param {import('./profiles.mjs').KafkaNode} node
 * @param {string | undefined} clusterId
 * @param {(m: string) => void} log
 * @param {Part[]} parts where the part is recorded
 */
async function startKafka(profile, node, clusterId, log, parts) {
  const { port, controllerPort } = node;
  const name = kafkaNodeName(profile, node);
  const broker = `localhost:${port}`;
  const pidFile = path.join(runDir(profile), `${name}.pid`);
  const logFile = path.join(profile.logDir, `${name}.log`);
  const part = { kind: 'kafka', name, port, logFile, started: false };
  const leftover = ownLiveProcess(pidFile);
  if (await isPortServed(port)) {
    if (leftover && !leftover.ownerAlive) {
      await waitForKafka(broker, { timeoutMs: 30000 });
      parts.push(adopt({ ...part, pidFile }, leftover.pid, log, `Kafka ${broker}`));
      return;
    }
    const note = reuseNote(leftover, 'broker');
    log(`Kafka ${broker}: ${note}`);
    await waitForKafka(broker, { timeoutMs: 30000 }).catch((err) => {
      throw new Error(`port ${port} is served, but not by a Kafka broker that answers (${err.message})`);
    });
    parts.push({ ...part, note });
    return;
  }
  if (leftover) {
    log(`Kafka: an earlier run's broker (pid ${leftover.pid}) is alive but not serving: stopping it`);
    await stopPid(leftover.pid, { timeoutMs: KAFKA_STOP_MS, name: 'leftover Kafka', log });
  }
  if (await isPortServed(controllerPort)) {
    throw new Error(`Kafka controller port ${controllerPort} is used by another process; free it and retry`);
  }
  const dir = path.join(profile.dataDir, name);
  if (profile.wipeOnStart) fs.rmSync(dir, { recursive: true, force: true });
  await ensureKafkaJars(log);
  const props = await prepareKafka(dir, kafkaNodeSpec(profile, node), logFile, clusterId);
  const { child, afterStop } = spawnKafka(dir, props, logFile, { shortLived: profile.wipeOnStart });
  let exited = '';
  child.on('error', (err) => (exited = `could not run java: ${err.message}`));
  child.on('exit', (code, signal) => (exited = `the JVM exited (${signal ?? `code ${code}`})`));
  if (child.pid) writePidFile(pidFile, child.pid, props);
  const started = { ...part, started: true, pid: child.pid, pidFile, afterStop, note: `started (pid ${child.pid})` };
  parts.push(started);
  try {
    await waitForKafka(broker, {
      timeoutMs: KAFKA_READY_MS,
      failed: () => exited && `${exited}; last lines of ${logFile}:\n${tailFile(logFile, 25)}`,
    });
  } catch (err) {
    await stopPart(started, log);
    throw err;
  }
  log(`Kafka ${broker}: started (pid ${child.pid}), log ${rel(logFile)}`);
}

/**
 * @param {import('./profiles.mjs').Profile} profile
 * @param {import('./profiles.mjs').PgSpec} db
 * @param {(m: string) => void} log
 * @param {Part[]} parts where the part is recorded
 */
async function startPostgres(profile, db, log, parts) {
  const name = `postgres-${db.name}`;
  const pidFile = path.join(runDir(profile), `${name}.pid`);
  const logFile = path.join(profile.logDir, `${name}.log`);
  const part = { kind: 'postgres', name, port: db.port, database: db.database, logFile, started: false };
  const leftover = ownLiveProcess(pidFile);
  if (await isPortServed(db.port)) {
    if (leftover && !leftover.ownerAlive) {
      await waitForPostgres(db.port, { timeoutMs: 15000 });
      await ensureDatabase(db.port, db.database);
      parts.push(adopt({ ...part, pidFile }, leftover.pid, log, `PostgreSQL ${db.port} (${db.database})`));
      return;
    }
    const note = reuseNote(leftover, 'server');
    await waitForPostgres(db.port, { timeoutMs: 15000 }).catch((err) => {
      throw new Error(`port ${db.port} is served, but not by a PostgreSQL that accepts postgres/postgres (${err.message})`);
    });
    const created = await ensureDatabase(db.port, db.database);
    log(`PostgreSQL ${db.port} (${db.database}): ${note}${created ? '; created the database' : ''}`);
    parts.push({ ...part, note });
    return;
  }
  if (leftover) {
    log(`PostgreSQL ${db.port}: an earlier run's server (pid ${leftover.pid}) is alive but not serving: stopping it`);
    await stopPid(leftover.pid, { signal: 'SIGINT', timeoutMs: PG_STOP_MS, name: 'leftover PostgreSQL', log });
  }
  const dir = path.join(postgresDataRoot(profile), name);
  if (profile.wipeOnStart) fs.rmSync(dir, { recursive: true, force: true });
  if (await preparePostgres(dir, logFile)) log(`PostgreSQL ${db.port}: created a new cluster in ${rel(dir)}`);
  const child = await spawnPostgres(dir, db.port, logFile, { fast: profile.wipeOnStart, countStatements: profile.name === 'bench' });
  let exited = '';
  child.on('error', (err) => (exited = `could not run postgres: ${err.message}`));
  child.on('exit', (code, signal) => (exited = `postgres exited (${signal ?? `code ${code}`})`));
  if (child.pid) writePidFile(pidFile, child.pid, dir);
  const started = { ...part, started: true, pid: child.pid, pidFile, note: `started (pid ${child.pid})` };
  parts.push(started);
  try {
    await waitForPostgres(db.port, {
      timeoutMs: PG_READY_MS,
      failed: () => exited && `${exited}; last lines of ${logFile}:\n${tailFile(logFile, 15)}`,
    });
    await ensureDatabase(db.port, db.database);
  } catch (err) {
    await stopPart(started, log);
    throw err;
  }
  log(`PostgreSQL ${db.port} (${db.database}): started (pid ${child.pid}), log ${rel(logFile)}`);
}

/**
 * A server of ours whose run was killed becomes this run's: its pid file names us as the owner and
 * our stop stops it, so nothing is left running after this run either.
 * @param {Part & { pidFile: string }} part
 * @param {number} pid
 * @param {(m: string) => void} log
 * @param {string} label
 * @returns {Part}
 */
function adopt(part, pid, log, label) {
  const marker = readPidFile(part.pidFile)?.marker ?? '';
  writePidFile(part.pidFile, pid, marker);
  log(`${label}: a killed run left it running (pid ${pid}); using it, and this run stops it`);
  return { ...part, started: true, adopted: true, pid, note: `adopted (pid ${pid})` };
}

/**
 * Why we use a server we did not start.
 * @param {{ pid: number, ownerAlive: boolean } | undefined} leftover our pid file's live process
 * @param {string} what
 */
function reuseNote(leftover, what) {
  if (!leftover) return 'port already served (docker compose or another stack?): using it';
  if (leftover.ownerAlive) return `shared with the run that started it (pid ${leftover.pid})`;
  return `reusing the ${what} an earlier run left running (pid ${leftover.pid})`;
}

/**
 * Stops what we started: Kafka first (its clients are gone by now), then the PostgreSQL servers.
 * @param {Part[]} parts
 * @param {(m: string) => void} log
 */
async function stopParts(parts, log) {
  const ours = parts.filter((p) => p.started && p.pid && isAlive(p.pid));
  await Promise.all(ours.filter((p) => p.kind === 'kafka').map((p) => stopPart(p, log)));
  await Promise.all(ours.filter((p) => p.kind === 'postgres').map((p) => stopPart(p, log)));
  if (ours.length) log(`stopped ${ours.map((p) => p.name).join(', ')}`);
}

/** @param {Part} part @param {(m: string) => void} log */
async function stopPart(part, log) {
  if (!part.pid) return;
  // SIGINT is PostgreSQL's "fast shutdown"; SIGTERM is Kafka's controlled shutdown.
  const signal = part.kind === 'postgres' ? 'SIGINT' : 'SIGTERM';
  const timeoutMs = part.kind === 'postgres' ? PG_STOP_MS : KAFKA_STOP_MS;
  const how = await stopPid(part.pid, { signal, timeoutMs, name: part.name, log });
  if (part.pidFile) removePidFile(part.pidFile);
  part.pid = undefined;
  part.afterStop?.(how === 'stopped');
}

/**
 * Last line of defence: if this process exits without calling stop() (an uncaught error, a
 * process.exit()), signal the servers it started. It cannot wait for them; their pid files let the
 * next run recognise anything that survived.
 * @param {Part[]} parts
 */
function stopOnExit(parts) {
  process.once('exit', () => {
    for (const p of parts) {
      if (!p.started || !p.pid) continue;
      try {
        process.kill(p.pid, p.kind === 'postgres' ? 'SIGINT' : 'SIGTERM');
      } catch {
        // already gone
      }
    }
  });
}

/**
 * What a running stack offers, as [label, description] rows (for the start banner).
 * @param {Stack} stack
 * @returns {[string, string][]}
 */
export function describeStack(stack) {
  const origin = (p) => (p.adopted ? 'left by a killed run, stopped with this one' : p.started ? 'started here' : 'reused');
  return stack.parts
    .slice()
    .sort((a, b) => a.port - b.port)
    .map((p) =>
      p.kind === 'kafka'
        ? [p.name === 'kafka' ? 'Kafka' : `Kafka ${p.name.slice('kafka-'.length)}`, `localhost:${p.port}  (${origin(p)})`]
        : ['PostgreSQL', `localhost:${p.port}  ${p.database}  ${PG_USER}/${PG_PASSWORD}  (${origin(p)})`],
    );
}

const rel = (p) => path.relative(process.cwd(), p) || '.';
