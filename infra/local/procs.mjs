// Process plumbing shared by the stack and the scripts: port probes, pid files, detached
// children that log to a file, and bounded stops (signal, wait, SIGKILL). No dependencies.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * True when something accepts TCP connections on the port (IPv4 or IPv6 loopback).
 * @param {number} port
 * @param {number} [timeoutMs]
 */
export async function isPortServed(port, timeoutMs = 1000) {
  for (const host of ['127.0.0.1', '::1']) {
    if (await canConnect(host, port, timeoutMs)) return true;
  }
  return false;
}

function canConnect(host, port, timeoutMs) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * True while the process runs. An exited process nobody reaped yet (a zombie, e.g. an orphan in a
 * container whose init does not reap) still answers kill(pid, 0): it counts as gone.
 * @param {number} pid
 */
export function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'EPERM') return false;
  }
  return !isZombie(pid);
}

/**
 * Command line of a live process, or '' (Linux /proc; elsewhere '' and we never claim it).
 * @param {number} pid
 */
export function commandLine(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/**
 * Pid files record what a run started, so a later run can tell its own leftovers (a run that was
 * SIGKILLed cannot clean up) from servers that belong to someone else.
 * @param {string} file
 * @returns {{ pid: number, marker: string, owner: number, startedAt: string } | undefined}
 */
export function readPidFile(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** @param {string} file @param {number} pid @param {string} marker text found in its command line */
export function writePidFile(file, pid, marker) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const rec = { pid, marker, owner: process.pid, startedAt: new Date().toISOString() };
  fs.writeFileSync(file, JSON.stringify(rec) + '\n');
}

export function removePidFile(file) {
  fs.rmSync(file, { force: true });
}

/**
 * The live process a pid file points at, if it is still ours (its command line still contains
 * the marker, so a recycled pid is never mistaken for it). Removes stale pid files.
 * @param {string} file
 * @returns {{ pid: number, owner: number, ownerAlive: boolean } | undefined} ownerAlive: the run that started it still runs
 */
export function ownLiveProcess(file) {
  const rec = readPidFile(file);
  if (!rec) return undefined;
  if (isAlive(rec.pid) && commandLine(rec.pid).includes(rec.marker)) {
    return { pid: rec.pid, owner: rec.owner, ownerAlive: rec.owner !== process.pid && isAlive(rec.owner) };
  }
  removePidFile(file);
  return undefined;
}

/**
 * Spawns a long-running server in its own process group (so a Ctrl+C in the terminal reaches only
 * the orchestrator, which then stops things in order), with stdout+stderr appended to a log file.
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ logFile: string, cwd?: string, env?: NodeJS.ProcessEnv, uid?: number, gid?: number }} opts
 */
export function spawnServer(cmd, args, opts) {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const fd = fs.openSync(opts.logFile, 'a');
  fs.writeSync(fd, `\n===== ${new Date().toISOString()} ${path.basename(cmd)} starting =====\n`);
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    detached: true,
    stdio: ['ignore', fd, fd],
    uid: opts.uid,
    gid: opts.gid,
  });
  fs.closeSync(fd); // the child holds its own copy
  child.unref();
  return child;
}

/**
 * Resolves when the pid is gone. Works for children (exit event) and for any pid (polling).
 * @param {number} pid
 * @param {number} timeoutMs
 * @returns {Promise<boolean>} false on timeout
 */
export async function waitForExit(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(100);
  }
  return false;
}

function isZombie(pid) {
  try {
    return /\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Stops one process we started: a polite signal, a bounded wait, then SIGKILL.
 * @param {number} pid
 * @param {{ signal?: NodeJS.Signals, timeoutMs?: number, name?: string, log?: (m: string) => void }} [opts]
 * @returns {Promise<'stopped' | 'killed' | 'gone'>} killed: it needed SIGKILL
 */
export async function stopPid(pid, opts = {}) {
  const { signal = 'SIGTERM', timeoutMs = 15000, name = `pid ${pid}`, log = () => {} } = opts;
  if (!isAlive(pid)) return 'gone';
  try {
    process.kill(pid, signal);
  } catch {
    return 'gone';
  }
  if (await waitForExit(pid, timeoutMs)) return 'stopped';
  log(`${name} did not stop within ${timeoutMs / 1000} s: sending SIGKILL`);
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return 'gone';
  }
  await waitForExit(pid, 5000);
  return 'killed';
}

/**
 * Last lines of a log file, for error messages.
 * @param {string} file
 * @param {number} [lines]
 */
export function tailFile(file, lines = 30) {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.split('\n').slice(-lines - 1).join('\n').trimEnd();
  } catch {
    return `(no log at ${file})`;
  }
}

/**
 * Polls `probe` until it returns true; fails early when `failed()` says the server died.
 * @param {() => Promise<boolean>} probe
 * @param {{ timeoutMs: number, intervalMs?: number, what: string, failed?: () => string | undefined }} opts
 */
export async function waitUntil(probe, opts) {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const why = opts.failed?.();
    if (why) throw new Error(`${opts.what}: ${why}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${opts.what}: not ready after ${opts.timeoutMs / 1000} s`);
    await sleep(opts.intervalMs ?? 250);
  }
}

/**
 * A lock file holding the owner's pid, so two runs starting the same profile at once (two test
 * runs in two terminals) do not race for the ports: the second waits, then finds the servers up
 * and reuses them. A lock whose owner died is taken over.
 * @param {string} file
 * @param {{ timeoutMs: number, onWait?: (ownerPid: number) => void }} opts
 * @returns {Promise<() => void>} release
 */
export async function acquireLock(file, opts) {
  const deadline = Date.now() + opts.timeoutMs;
  let told = false;
  for (;;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'EEXIST') throw err;
    }
    const owner = Number(fs.readFileSync(file, 'utf8').trim() || 0);
    if (!owner || !isAlive(owner)) {
      fs.rmSync(file, { force: true }); // its owner is gone
      continue;
    }
    if (!told) opts.onWait?.(owner);
    told = true;
    if (Date.now() > deadline) throw new Error(`another run (pid ${owner}) has been starting this stack for too long`);
    await sleep(250);
  }
}

/**
 * `npm start` runs our script through `sh -c`: a SIGTERM sent to npm alone reaches that shell, not
 * us, and we would be orphaned with servers running. Losing our parent counts as a SIGTERM (the
 * caller's SIGTERM handler then stops everything in order).
 */
export function stopWhenOrphaned() {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    process.kill(process.pid, 'SIGTERM');
  }, 1000);
  timer.unref();
}
