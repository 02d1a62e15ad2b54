#!/usr/bin/env node
// The fault suite's hands on the infrastructure: the `faults` profile of infra/local (Kafka 9098,
// PostgreSQL 5444/5445/5447, wiped at each start), with one server stopped and started again
// mid-test on the same data folder. A separate process because Jest's test sandbox cannot load
// these ES modules; the servers run detached, so this process may exit while they keep running.
//
//   node stack-ctl.mjs up                   stop what a killed run left, start a fresh stack, print JSON
//   node stack-ctl.mjs stop <part>          kafka | postgres-users | postgres-orders | postgres-payments
//   node stack-ctl.mjs start <part>         the same server again, on the same data; waits until ready
//   node stack-ctl.mjs down                 stop every server of the profile (pid files, Kafka first)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const local = (m) => import(path.join(REPO, 'infra', 'local', m));

const { ensureInstalled } = await local('install.mjs');
await ensureInstalled(path.join(REPO, 'infra', 'local'), { log: (m) => console.error(`[faults-stack] ${m}`) });
const { getProfile, runDir } = await local('profiles.mjs');
const { isAlive, readPidFile, removePidFile, stopPid, tailFile, writePidFile } = await local('procs.mjs');
const { stopLeftovers } = await local('leftovers.mjs');

const profile = getProfile('faults');
const log = (m) => console.error(`[faults-stack] ${m}`);
/** What `up` started: each server's command-line marker (Kafka: its properties file; PostgreSQL: its data folder). */
const PARTS_FILE = path.join(runDir(profile), 'fault-parts.json');
const pidFileOf = (name) => path.join(runDir(profile), `${name}.pid`);
const logFileOf = (name) => path.join(profile.logDir, `${name}.log`);

const [command, partName] = process.argv.slice(2);
try {
  if (command === 'up') await up();
  else if (command === 'down') await down();
  else if (command === 'stop') await stopPart(partName);
  else if (command === 'start') await startPart(partName);
  else throw new Error('usage: stack-ctl.mjs up | down | stop <part> | start <part>');
  process.exit(0);
} catch (err) {
  console.error(`[faults-stack] ${command} ${partName ?? ''}: ${err.message}`);
  process.exit(1);
}

async function up() {
  await down();
  const { startStack } = await local('stack.mjs');
  // keepRunning: this process exits right after; the suite's teardown stops the servers.
  const stack = await startStack('faults', { log, keepRunning: true });
  const notOurs = stack.parts.filter((p) => !p.started);
  if (notOurs.length) {
    throw new Error(
      `${notOurs.map((p) => `port ${p.port}`).join(', ')} already served by something this run did not start: ` +
        'the fault suite stops and restarts its servers, so it needs its own (free the ports and retry)',
    );
  }
  const parts = Object.fromEntries(
    stack.parts.map((p) => [p.name, { kind: p.kind, port: p.port, database: p.database, marker: readPidFile(p.pidFile)?.marker }]),
  );
  fs.writeFileSync(PARTS_FILE, JSON.stringify(parts, null, 2) + '\n');
  process.stdout.write(JSON.stringify({ env: stack.env, parts }) + '\n');
}

async function down() {
  // The suite owns this profile: what an earlier, killed run of it left goes too.
  const { stopped } = await stopLeftovers(profile, log, { force: true });
  if (stopped) log(`stopped ${stopped} server(s)`);
}

function partSpec(name) {
  const parts = JSON.parse(fs.readFileSync(PARTS_FILE, 'utf8'));
  const spec = parts[name];
  if (!spec) throw new Error(`unknown part "${name}" (have ${Object.keys(parts).join(', ')})`);
  return spec;
}

async function stopPart(name) {
  const spec = partSpec(name);
  const rec = readPidFile(pidFileOf(name));
  if (!rec || !isAlive(rec.pid)) throw new Error(`${name} is not running`);
  // SIGTERM: Kafka's controlled shutdown; SIGINT: PostgreSQL's fast shutdown (clients cut off).
  const signal = spec.kind === 'kafka' ? 'SIGTERM' : 'SIGINT';
  const how = await stopPid(rec.pid, { signal, timeoutMs: 30000, name, log });
  removePidFile(pidFileOf(name));
  process.stdout.write(JSON.stringify({ stopped: name, pid: rec.pid, how }) + '\n');
}

async function startPart(name) {
  const spec = partSpec(name);
  const logFile = logFileOf(name);
  let child;
  if (spec.kind === 'kafka') {
    const { spawnKafka, waitForKafka } = await local('kafka.mjs');
    ({ child } = spawnKafka(path.dirname(spec.marker), spec.marker, logFile, { shortLived: true }));
    writePidFile(pidFileOf(name), child.pid, spec.marker);
    await waitForKafka(`localhost:${spec.port}`, { timeoutMs: 60000, failed: exitedWith(child, logFile) });
  } else {
    const { spawnPostgres, waitForPostgres } = await local('postgres.mjs');
    child = await spawnPostgres(spec.marker, spec.port, logFile, { fast: true });
    writePidFile(pidFileOf(name), child.pid, spec.marker);
    await waitForPostgres(spec.port, { timeoutMs: 30000, failed: exitedWith(child, logFile) });
  }
  process.stdout.write(JSON.stringify({ started: name, pid: child.pid }) + '\n');
}

function exitedWith(child, logFile) {
  let exited = '';
  child.on('exit', (code, signal) => (exited = `exited (${signal ?? `code ${code}`})`));
  return () => exited && `${exited}; last lines of ${logFile}:\n${tailFile(logFile, 20)}`;
}
