import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { connect } from 'node:net';

/**
 * A command run the way a user runs it in a terminal (`npm start`, `npm run start:dev`): in a
 * process group of its own, so a "Ctrl+C" (SIGINT to the group) reaches every process of it, as the
 * terminal's does, and what is left of the group afterwards can be listed.
 */
export interface TerminalCommand {
  pid: number;
  /** Everything it printed, stdout and stderr interleaved, ANSI colours removed. */
  output(): string;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
  /** Waits until the output matches; fails early when the command exits first. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** Like Ctrl+C in its terminal. */
  interrupt(): void;
}

export function runInTerminal(command: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): TerminalCommand {
  const child: ChildProcess = spawn(command, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const onData = (chunk: Buffer) => (text += chunk.toString('utf8').replace(/\x1b\[[0-9;]*[A-Za-z]/g, ''));
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let exitedWith: number | string | undefined;
  const exited = new Promise<number | string>((resolve) =>
    child.on('close', (code, signal) => resolve((exitedWith = code ?? signal ?? 'unknown'))),
  );
  const pid = child.pid ?? 0;
  return {
    pid,
    output: () => text,
    exited,
    async waitForOutput(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = text.match(pattern);
        if (match) return match;
        if (exitedWith !== undefined) throw new Error(`exited (${exitedWith}) before printing ${pattern}:\n${tail(text)}`);
        if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs / 1000} s:\n${tail(text)}`);
        await sleep(200);
      }
    },
    interrupt: () => signalGroup(pid, 'SIGINT'),
  };
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone
  }
}

/** Live (non-zombie) processes of a process group, with their command lines. */
export function groupMembers(pgid: number): { pid: number; cmd: string }[] {
  return processes().filter((p) => p.pgid === pgid);
}

/** Live descendants of a process (children, grandchildren, ...), wherever their group. */
export function descendants(pid: number): { pid: number; cmd: string }[] {
  const all = processes();
  const found: { pid: number; cmd: string }[] = [];
  const walk = (parent: number) => {
    for (const p of all.filter((x) => x.ppid === parent)) {
      found.push(p);
      walk(p.pid);
    }
  };
  walk(pid);
  return found;
}

export function isAlive(pid: number): boolean {
  return processes().some((p) => p.pid === pid);
}

function processes(): { pid: number; ppid: number; pgid: number; cmd: string }[] {
  const out = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      out.push({ pid: Number(entry), ppid: Number(fields[1]), pgid: Number(fields[2]), cmd });
    } catch {
      // it exited while we looked
    }
  }
  return out;
}

export async function until<T>(what: string, probe: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (ok(last)) return last;
    await sleep(250);
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000} s (last: ${JSON.stringify(last)})`);
}

/** HTTP status of a GET, or 0 when nothing answers. */
export async function statusOf(url: string): Promise<number> {
  return fetch(url, { signal: AbortSignal.timeout(3000) }).then(
    async (res) => {
      await res.arrayBuffer();
      return res.status;
    },
    () => 0,
  );
}

/** True when something accepts TCP connections on the port (any protocol). */
export function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tail = (text: string) => text.split('\n').slice(-30).join('\n');
