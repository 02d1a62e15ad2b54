// Load generators.
// - closedLoop(): the maximum a target sustains: wrk (C, a fraction of a core; the generator must
//   not eat the CPU the target needs on a 2-core box) or autocannon when wrk is not installed.
// - openLoop(): a fixed arrival rate over an undici keep-alive pool, each request sent at its own
//   evenly spaced instant whatever the earlier ones are doing, timed in microseconds from the moment
//   it was handed to the pool (so waiting for a connection counts). autocannon's fixed-rate mode
//   sends each connection's quota in a burst at the start of every second and records whole
//   milliseconds: too coarse for "adds <= 1 ms".
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Pool } from 'undici';
import { percentile } from './stats.mjs';

/**
 * @typedef {{ method: 'GET' | 'POST', url: string, headers?: Record<string, string>, body?: string }} Target
 * @typedef {{ tool: string, rps: number, requests: number, errors: number, non2xx: number, p50: number, p99: number, seconds: number, pid?: number }} ClosedLoopResult
 */

let wrkPath;
export function hasWrk() {
  if (wrkPath === undefined) {
    const r = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
    wrkPath = r.error ? '' : 'wrk';
  }
  return wrkPath !== '';
}

/**
 * Closed loop: `connections` clients, each sending its next request when the previous answered.
 * @param {Target} target
 * @param {{ connections: number, seconds: number, workDir: string, onStart?: (pid: number | undefined) => void }} opts
 * @returns {Promise<ClosedLoopResult>}
 */
export async function closedLoop(target, opts) {
  return hasWrk() ? wrk(target, opts) : autocannonRun(target, opts);
}

/** @param {Target} target @param {{ connections: number, seconds: number, workDir: string, onStart?: (pid: number | undefined) => void }} opts */
async function wrk(target, opts) {
  fs.mkdirSync(opts.workDir, { recursive: true });
  const script = path.join(opts.workDir, `wrk-${process.pid}-${Date.now()}.lua`);
  const lua = [
    `wrk.method = ${luaString(target.method)}`,
    ...(target.body !== undefined ? [`wrk.body = ${luaString(target.body)}`] : []),
    ...Object.entries(target.headers ?? {}).map(([k, v]) => `wrk.headers[${luaString(k)}] = ${luaString(v)}`),
    'done = function(summary, latency, requests)',
    '  local e = summary.errors',
    '  io.write(string.format("WRKJSON {\\"requests\\":%d,\\"duration_us\\":%d,\\"connect\\":%d,\\"read\\":%d,\\"write\\":%d,\\"status\\":%d,\\"timeout\\":%d,\\"p50\\":%d,\\"p99\\":%d}\\n",',
    '    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout, latency:percentile(50), latency:percentile(99)))',
    'end',
    '',
  ].join('\n');
  fs.writeFileSync(script, lua);
  const args = ['-t1', `-c${opts.connections}`, `-d${Math.max(1, Math.round(opts.seconds))}s`, '--timeout', '5s', '-s', script, target.url];
  const { code, stdout, stderr } = await run('wrk', args, opts.onStart);
  fs.rmSync(script, { force: true });
  const line = stdout.split('\n').find((l) => l.startsWith('WRKJSON '));
  if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}): ${stderr.trim() || stdout.trim()}`);
  const r = JSON.parse(line.slice('WRKJSON '.length));
  const seconds = r.duration_us / 1e6;
  const errors = r.connect + r.read + r.write + r.timeout;
  return {
    tool: 'wrk',
    requests: r.requests,
    // Only answers in 2xx count as served.
    rps: (r.requests - r.status - errors) / seconds,
    errors,
    non2xx: r.status,
    p50: r.p50 / 1000,
    p99: r.p99 / 1000,
    seconds,
  };
}

const luaString = (s) => `"${String(s).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/** @param {Target} target @param {{ connections: number, seconds: number, onStart?: (pid: number | undefined) => void }} opts */
async function autocannonRun(target, opts) {
  const { default: autocannon } = await import('autocannon');
  opts.onStart?.(process.pid);
  const result = await autocannon({
    url: target.url,
    method: target.method,
    headers: target.headers,
    body: target.body,
    connections: opts.connections,
    duration: opts.seconds,
  });
  const ok = result['2xx'];
  return {
    tool: 'autocannon',
    requests: result.requests.total,
    rps: ok / result.duration,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    p50: result.latency.p50,
    p99: result.latency.p99,
    seconds: result.duration,
  };
}

function run(cmd, args, onStart) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    onStart?.(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', (err) => resolve({ code: -1, stdout, stderr: err.message }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * @typedef {{ status: number, ms: number, sentAt: number, doneAt: number, body?: string }} Sample
 * @typedef {{
 *   rate: number, sent: number, ok: number, failed: number, statuses: Record<string, number>,
 *   p50: number, p90: number, p99: number, max: number, achievedRate: number, seconds: number,
 *   sendLagP99: number, samples: Sample[],
 * }} OpenLoopResult
 */

/**
 * Open loop at a fixed rate. `request(i)` gives the i-th request (path relative to `origin`).
 * @param {string} origin e.g. http://localhost:5005
 * @param {(i: number) => { method: string, path: string, headers?: Record<string, string>, body?: string }} request
 * @param {{ rate: number, seconds: number, connections?: number, keepBodies?: boolean, timeoutMs?: number }} opts
 * @returns {Promise<OpenLoopResult>}
 */
export async function openLoop(origin, request, opts) {
  const total = Math.max(1, Math.round(opts.rate * opts.seconds));
  const pool = new Pool(origin, { connections: opts.connections ?? 128, keepAliveTimeout: 30000 });
  /** @type {Sample[]} */
  const samples = new Array(total);
  const lags = new Float64Array(total);
  const inflight = [];
  const interval = 1000 / opts.rate;
  const t0 = performance.now() + 5;
  let next = 0;
  const fire = (i) => {
    const req = request(i);
    const sentAt = performance.now();
    lags[i] = sentAt - (t0 + i * interval);
    const p = pool
      .request({ method: req.method, path: req.path, headers: req.headers, body: req.body, headersTimeout: opts.timeoutMs ?? 10000, bodyTimeout: opts.timeoutMs ?? 10000 })
      .then(async (res) => {
        const text = opts.keepBodies ? await res.body.text() : (await res.body.dump(), undefined);
        const doneAt = performance.now();
        samples[i] = { status: res.statusCode, ms: doneAt - sentAt, sentAt, doneAt, body: text };
      })
      .catch(() => {
        const doneAt = performance.now();
        samples[i] = { status: 0, ms: doneAt - sentAt, sentAt, doneAt };
      });
    inflight.push(p);
  };
  while (next < total) {
    const now = performance.now();
    while (next < total && t0 + next * interval <= now) fire(next++);
    if (next < total) {
      const wait = t0 + next * interval - performance.now();
      // setTimeout has ~1 ms granularity: sleep only when the next send is that far away.
      if (wait > 1.5) await new Promise((r) => setTimeout(r, wait - 1));
      else await new Promise((r) => setImmediate(r));
    }
  }
  const lastSent = performance.now();
  await Promise.all(inflight);
  await pool.close();
  const ok = samples.filter((s) => s.status >= 200 && s.status < 300);
  const statuses = {};
  for (const s of samples) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
  const ms = ok.map((s) => s.ms).sort((a, b) => a - b);
  const seconds = (lastSent - t0) / 1000 || opts.seconds;
  return {
    rate: opts.rate,
    sent: total,
    ok: ok.length,
    failed: total - ok.length,
    statuses,
    p50: percentile(ms, 50),
    p90: percentile(ms, 90),
    p99: percentile(ms, 99),
    max: ms.length ? ms[ms.length - 1] : NaN,
    // From the actual send instants: a starved generator shows up here.
    achievedRate: total > 1 ? (total - 1) / Math.max((samples[total - 1].sentAt - samples[0].sentAt) / 1000, 1e-3) : opts.rate,
    seconds,
    sendLagP99: percentile(Array.from(lags).sort((a, b) => a - b), 99),
    samples,
  };
}
