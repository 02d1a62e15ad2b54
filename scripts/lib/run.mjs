// Child processes of the scripts: commands whose output is streamed with a prefix, bounded in time,
// and tracked so a Ctrl+C can stop whatever is running.
import { spawn } from 'node:child_process';
import { eachLine } from './ui.mjs';

/** Children currently running, so signal handlers can stop them. */
export const running = new Set();

/**
 * Runs a command, prefixing each output line; resolves with its exit code ('timeout' when killed
 * after timeoutMs, 'signal X' when killed otherwise).
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ cwd: string, env?: NodeJS.ProcessEnv, prefix: string, timeoutMs: number }} opts
 * @returns {Promise<{ code: number | string }>}
 */
export function runCommand(cmd, args, opts) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    const print = (line) => console.log(`${opts.prefix} ${line}`);
    eachLine(child.stdout, print);
    eachLine(child.stderr, print);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      print(`timed out after ${opts.timeoutMs / 1000} s: stopping it`);
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10000).unref();
    }, opts.timeoutMs);
    child.on('error', (err) => print(`could not run ${cmd}: ${err.message}`));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code: timedOut ? 'timeout' : (code ?? `signal ${signal}`) });
    });
  });
}

/** Sends SIGTERM to every running command (then SIGKILL after 10 s). */
export function stopRunningCommands() {
  for (const child of running) {
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10000).unref();
  }
}
