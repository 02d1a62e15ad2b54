// What each process costs, read from /proc (Linux): CPU seconds from /proc/<pid>/stat deltas, RSS
// from /proc/<pid>/status, whole-machine busy time from /proc/stat, and the pid behind a listening
// port. A "group" is a process and all its descendants (PostgreSQL forks a backend per connection;
// the postmaster's cutime/cstime keep what exited children spent).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

let tickCache;
/** Clock ticks per second of /proc/<pid>/stat times (almost always 100). */
export function ticksPerSecond() {
  if (tickCache) return tickCache;
  try {
    tickCache = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    tickCache = 100;
  }
  return tickCache;
}

/**
 * @param {number} pid
 * @returns {{ pid: number, ppid: number, ticks: number, childTicks: number, rssKb: number } | undefined}
 */
export function readStat(pid) {
  let text;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); utime is field 14 → rest[11].
  const ppid = Number(rest[1]);
  const ticks = Number(rest[11]) + Number(rest[12]);
  const childTicks = Number(rest[13]) + Number(rest[14]);
  const rssKb = (Number(rest[21]) * pageSize()) / 1024;
  return { pid, ppid, ticks, childTicks, rssKb };
}

let pageCache;
function pageSize() {
  if (pageCache) return pageCache;
  try {
    pageCache = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()) || 4096;
  } catch {
    pageCache = 4096;
  }
  return pageCache;
}

/** Every live pid with its parent. */
function allStats() {
  const out = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) out.push(s);
  }
  return out;
}

/**
 * CPU ticks and RSS of a process tree. Ticks = live members' own time + the root's reaped children.
 * @param {number} rootPid
 * @param {ReturnType<typeof allStats>} [stats]
 */
export function treeUsage(rootPid, stats = allStats()) {
  const children = new Map();
  for (const s of stats) {
    if (!children.has(s.ppid)) children.set(s.ppid, []);
    children.get(s.ppid).push(s);
  }
  const root = stats.find((s) => s.pid === rootPid);
  if (!root) return undefined;
  let ticks = root.childTicks;
  let rssKb = 0;
  let count = 0;
  const queue = [root];
  while (queue.length) {
    const s = queue.pop();
    ticks += s.ticks;
    rssKb += s.rssKb;
    count++;
    queue.push(...(children.get(s.pid) ?? []));
  }
  return { ticks, rssKb, count };
}

/** Resident set of one process (VmRSS), in MB; undefined when it is gone. */
export function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Busy and total jiffies of the whole machine (all cores), from /proc/stat. */
export function machineTicks() {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = v;
  const busy = user + nice + system + irq + softirq + (steal ?? 0);
  return { busy, total: busy + idle + (iowait ?? 0), steal: steal ?? 0 };
}

/**
 * Measures the CPU of named process groups between start() and stop(), and samples their RSS.
 * @example const m = cpuMeter({ gateway: 123, kafka: 456 }); m.start(); ...; const r = m.stop();
 * @param {Record<string, number | 'self' | undefined>} groups name → root pid ('self': this process
 *   and its reaped children, i.e. the load generators; undefined entries are skipped)
 * @param {{ sampleMs?: number }} [opts]
 */
export function cpuMeter(groups, opts = {}) {
  const named = Object.entries(groups).filter(([, pid]) => pid);
  let t0 = 0;
  let before = new Map();
  let machine0;
  const peakRss = new Map();
  let timer;
  const usage = (pid, stats) => {
    if (pid !== 'self') return treeUsage(pid, stats);
    // This process and what its finished children (wrk, the Kafka tools) spent; not the apps it runs.
    const me = stats.find((x) => x.pid === process.pid);
    return me && { ticks: me.ticks + me.childTicks, rssKb: me.rssKb, count: 1 };
  };
  const sample = () => {
    const stats = allStats();
    for (const [name, pid] of named) {
      const u = usage(pid, stats);
      if (u) peakRss.set(name, Math.max(peakRss.get(name) ?? 0, u.rssKb / 1024));
    }
  };
  return {
    start() {
      const stats = allStats();
      before = new Map(named.map(([name, pid]) => [name, usage(pid, stats)?.ticks ?? 0]));
      machine0 = machineTicks();
      t0 = performance.now();
      peakRss.clear();
      sample();
      timer = setInterval(sample, opts.sampleMs ?? 500);
      timer.unref();
    },
    /** @returns {{ seconds: number, machineBusyPct: number, groups: Record<string, { cpuSec: number, cores: number, peakRssMb: number }>, otherCores: number }} */
    stop() {
      clearInterval(timer);
      sample();
      const seconds = (performance.now() - t0) / 1000;
      const stats = allStats();
      const hz = ticksPerSecond();
      const m1 = machineTicks();
      /** @type {Record<string, { cpuSec: number, cores: number, peakRssMb: number }>} */
      const out = {};
      let ours = 0;
      for (const [name, pid] of named) {
        const after = usage(pid, stats)?.ticks ?? before.get(name) ?? 0;
        const cpuSec = Math.max(0, after - (before.get(name) ?? 0)) / hz;
        ours += cpuSec;
        out[name] = { cpuSec, cores: cpuSec / seconds, peakRssMb: peakRss.get(name) ?? 0 };
      }
      const busyDelta = m1.busy - machine0.busy;
      const totalDelta = m1.total - machine0.total || 1;
      const machineCores = (busyDelta / hz) / seconds;
      return {
        seconds,
        machineBusyPct: (100 * busyDelta) / totalDelta,
        groups: out,
        // Whatever else ran on the machine meanwhile (other users of a shared box, the kernel).
        otherCores: Math.max(0, machineCores - ours / seconds),
      };
    },
  };
}

/**
 * Pid of the process listening on a TCP port (via /proc/net/tcp{,6} socket inodes), or undefined.
 * @param {number} port
 */
export function pidListeningOn(port) {
  const inodes = new Set();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A') continue; // 0A = LISTEN
      if (parseInt(f[1].split(':').pop(), 16) === port) inodes.add(f[9]);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let fds = [];
    try {
      fds = fs.readdirSync(`/proc/${name}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${name}/fd/${fd}`));
        if (m && inodes.has(m[1])) return Number(name);
      } catch {
        // fd closed meanwhile
      }
    }
  }
  return undefined;
}

/** The machine a run measured: CPU, cores, memory, kernel, runtimes, and how busy it was already. */
export function machineInfo() {
  const cpus = os.cpus();
  const version = (cmd, args) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.error) return 'not found';
    return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n')[0];
  };
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    java: version('java', ['-version']),
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
    hostname: os.hostname(),
  };
}

/**
 * Raises the scheduling priority of a process tree, every thread of it (Linux nice values are per
 * thread), so that other work on a shared box disturbs the measurement less. Needs root for
 * negative values; returns how many threads it changed.
 * @param {number} rootPid
 * @param {number} nice
 */
export function reniceTree(rootPid, nice) {
  const stats = allStats();
  const pids = [];
  const queue = [rootPid];
  while (queue.length) {
    const pid = queue.pop();
    pids.push(pid);
    for (const s of stats) if (s.ppid === pid) queue.push(s.pid);
  }
  let changed = 0;
  for (const pid of pids) {
    setAutogroupNice(pid, nice);
    let tids = [];
    try {
      tids = fs.readdirSync(`/proc/${pid}/task`).map(Number);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        os.setPriority(tid, nice);
        changed++;
      } catch {
        // gone, or not allowed
      }
    }
  }
  return changed;
}

/**
 * With the kernel's autogroup scheduling (the default on most distributions), CPU is first shared
 * between sessions (a server started detached is its own session), and a thread's nice value only
 * counts within its session: the session's own nice (/proc/<pid>/autogroup) is what competes with
 * the neighbours.
 * @param {number} pid
 * @param {number} nice
 */
export function setAutogroupNice(pid, nice) {
  try {
    fs.writeFileSync(`/proc/${pid}/autogroup`, String(nice));
    return true;
  } catch {
    return false;
  }
}
