// Running the built apps (`node dist/main.js`): output prefixed on the console and written raw to
// a log file, readiness through GET /health/ready, and a bounded stop.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { getProfile, runDir } from '../../infra/local/profiles.mjs';
import { removePidFile, tailFile, writePidFile } from '../../infra/local/procs.mjs';
import { appEnv, appPath, appPort } from './apps.mjs';
import { compactLogLine, eachLine, tag } from './ui.mjs';

const STOP_TIMEOUT_MS = 10000;

/**
 * @typedef {{
 *   app: import('./apps.mjs').App, child: import('node:child_process').ChildProcess, name: string, port: number,
 *   logFile: string, pidFile: string, exit: Promise<string>, exited: string | undefined, stopping: boolean,
 * }} RunningApp
 */

/**
 * Starts one app against a profile's infrastructure, recorded in the profile's pid files so that
 * `infra:status` / `infra:stop` find it if this run is killed before it can stop it.
 * In the cluster profile, `instance` (of `replicas`) names it `<app>-<instance>` (log, pid file, prefix).
 * @param {import('./apps.mjs').App} app
 * @param {import('../../infra/local/profiles.mjs').ProfileName} profile
 * @param {{ logDir: string, extraEnv?: Record<string, string>, instance?: number, replicas?: number, quiet?: boolean }} opts
 *   quiet: the log file only, nothing on the console
 * @returns {RunningApp}
 */
export function startApp(app, profile, opts) {
  fs.mkdirSync(opts.logDir, { recursive: true });
  const name = opts.instance ? `${app.name}-${opts.instance}` : app.name;
  // The PORT the app gets is where it answers (the event console's is given that way).
  const port = opts.extraEnv?.PORT ? Number(opts.extraEnv.PORT) : appPort(app, profile, opts.instance);
  const logFile = path.join(opts.logDir, `${name}.log`);
  const log = fs.createWriteStream(logFile, { flags: 'w' });
  // Not detached: a Ctrl+C in the terminal reaches the apps too, and they stop before the
  // orchestrator stops Kafka and PostgreSQL (which run detached).
  // The absolute path makes the command line tell the four apps apart (the pid file's marker).
  const main = appPath(app, 'dist', 'main.js');
  const child = spawn(process.execPath, [main], {
    cwd: appPath(app),
    env: { ...appEnv(app, profile, process.env, { instance: opts.instance, replicas: opts.replicas }), ...opts.extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pidFile = path.join(runDir(getProfile(profile)), `app-${name}.pid`);
  if (child.pid) writePidFile(pidFile, child.pid, main);
  const prefix = tag(name);
  const onLine = (line) => {
    log.write(`${line}\n`);
    if (!opts.quiet) console.log(`${prefix} ${compactLogLine(line)}`);
  };
  eachLine(child.stdout, onLine);
  eachLine(child.stderr, onLine);
  /** @type {RunningApp} */
  const running = { app, child, name, port, logFile, pidFile, exited: undefined, stopping: false, exit: Promise.resolve('') };
  running.exit = new Promise((resolve) => {
    child.on('error', (err) => {
      running.exited = `could not start: ${err.message}`;
      resolve(running.exited);
    });
    child.on('close', (code, signal) => {
      running.exited = signal ? `killed by ${signal}` : `exit code ${code}`;
      removePidFile(pidFile);
      log.end();
      resolve(running.exited);
    });
  });
  return running;
}

/**
 * Resolves when GET /health/ready answers 200; rejects on timeout, when the app exits, or when
 * `signal` aborts (its reason says why the caller stopped waiting).
 * @param {RunningApp} running
 * @param {import('../../infra/local/profiles.mjs').ProfileName} _profile
 * @param {number} timeoutMs
 * @param {{ signal?: AbortSignal }} [opts]
 */
export async function waitReady(running, _profile, timeoutMs, { signal } = {}) {
  const url = `http://localhost:${running.port}/health/ready`;
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (running.exited) throw new Error(`${running.app.dir} (${running.name}) stopped (${running.exited}) before it was ready`);
    if (signal?.aborted) throw new Error(`${running.app.dir} (${running.name}) not ready (GET ${url}: ${last}); gave up waiting: ${signal.reason}`);
    last = await probe(url);
    if (last === '200') return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${running.app.dir} (${running.name}) not ready after ${timeoutMs / 1000} s (GET ${url}: ${last})`);
}

/**
 * Status of a GET as text ('200', '503', or the connection error).
 * @param {string} url
 */
export async function probe(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    await res.arrayBuffer().catch(() => {});
    return String(res.status);
  } catch (err) {
    return err.cause?.code ?? err.name ?? 'error';
  }
}

/**
 * SIGTERM, wait up to 10 s, then SIGKILL.
 * @param {RunningApp} running
 */
export async function stopApp(running) {
  if (running.exited) return;
  running.stopping = true;
  running.child.kill('SIGTERM');
  const timer = setTimeout(() => running.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await running.exit;
  clearTimeout(timer);
}

/** Last lines of an app's log (pino lines compacted), for failure reports. */
export function appLogTail(running, lines = 25) {
  const text = tailFile(running.logFile, lines);
  return text ? text.split('\n').map(compactLogLine).join('\n') : '(the log is empty)';
}
