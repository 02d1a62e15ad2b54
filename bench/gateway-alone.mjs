// The gateway alone, in front of a trivial upstream that answers from memory: its own CPU per
// proxied request (from /proc/<pid>/stat), with no Kafka, PostgreSQL or service sharing the cores,
// so one setting or one change can be judged by what it costs. Needs a built api-gateway (dist/).
//
//   node bench/gateway-alone.mjs [--route get-user|post-order] [--requests 20000] [--connections 16]
//                                [--rounds 3] [--cpu-prof DIR] [--apps-root DIR] [--proxy WHAT] [NAME=VALUE ...]
//
// --proxy gateway (default) | floor | nginx: what stands between the client and the upstream. `floor`
// is bench/lib/floor-proxy.mjs, the least a Node process does to proxy (no parsing, logging or
// tracing); `nginx` is nginx (one process, upstream keep-alive), as the bench's nginx route. Run each
// in turn to see the gateway's cost next to what Node itself costs and what nginx costs.
//
// NAME=VALUE pairs go into the gateway's environment (AUTH_ENABLED=true, OTEL_SDK_DISABLED=true,
// OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.1, ...). With
// AUTH_ENABLED=true every request carries a valid token of a live session. --apps-root: a folder
// holding another build of api-gateway/ (before/after on the same machine, as BENCH_APPS_ROOT).
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readStat, ticksPerSecond } from './lib/proc.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const USER_ID = '1a1a1a1a-1111-4111-8111-111111111111';
const SESSION_ID = '6f6f6f6f-6666-4666-8666-666666666666';
const JWT_SECRET = 'gateway-alone-bench-secret-0123456789abcdef';
const USER = { id: USER_ID, email: 'alice@example.com', name: 'Alice', role: 'user', createdAt: '2026-11-30T00:00:00.000Z', updatedAt: '2026-11-30T00:00:00.000Z' };
const ORDER = {
  id: '2b2b2b2b-2222-4222-8222-222222222222', userId: USER_ID, status: 'pending', total: '0.3',
  items: [{ productId: 'product-123', quantity: 3, price: '0.10' }], createdAt: '2026-11-30T00:00:00.000Z', updatedAt: '2026-11-30T00:00:00.000Z',
};

const args = parseArgs(process.argv.slice(2));
const upstream = await startUpstream();
const port = await freePort();
const gatewayEnv = {
  ...process.env,
  NODE_ENV: 'development', PORT: String(port), LOG_LEVEL: 'info', JWT_SECRET,
  USER_SERVICE_URL: upstream.url, ORDER_SERVICE_URL: upstream.url, PAYMENT_SERVICE_URL: upstream.url,
  THROTTLE_LIMIT: '100000000', THROTTLE_AUTH_LIMIT: '100000000', AUTH_ENABLED: 'false',
  ...args.env,
};
const nodeArgs = args.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(args.cpuProf)}`] : [];
const logFile = path.join(ROOT, '.logs', 'gateway-alone.log');
fs.mkdirSync(path.dirname(logFile), { recursive: true });
const out = fs.openSync(logFile, 'w');
const spawnedAt = performance.now();
const appsRoot = args.appsRoot ? path.resolve(args.appsRoot) : ROOT;
const child = spawnProxy(args.proxy);
const stop = () => new Promise((resolve) => {
  if (child.exitCode !== null) return resolve();
  child.once('exit', resolve);
  child.kill('SIGTERM');
});
process.on('SIGINT', () => void stop().then(() => process.exit(130)));

try {
  const readyMs = await waitReady(`http://127.0.0.1:${port}/${args.proxy === 'gateway' ? 'health/ready' : `api/users/${USER_ID}`}`, spawnedAt);
  await new Promise((r) => setTimeout(r, 1000));
  const idleRssMb = (readStat(child.pid)?.rssKb ?? 0) / 1024;
  const target = requestFor(args.route, port, gatewayEnv.AUTH_ENABLED === 'true');
  await closedLoop(target, Math.min(3000, args.requests), args.connections); // warm-up: JIT, pools
  const rounds = [];
  for (let i = 0; i < args.rounds; i++) {
    const before = readStat(child.pid);
    const r = await closedLoop(target, args.requests, args.connections);
    const after = readStat(child.pid);
    const cpuUs = (((after.ticks - before.ticks) / ticksPerSecond()) * 1e6) / args.requests;
    rounds.push({ ...r, cpuUs });
  }
  const med = (key) => median(rounds.map((r) => r[key]));
  const settings = Object.entries(args.env).map(([k, v]) => `${k}=${v}`).join(' ') || '(defaults)';
  console.log(JSON.stringify({
    proxy: args.proxy, route: args.route, settings, requests: args.requests, connections: args.connections,
    cpuUsPerRequest: Math.round(med('cpuUs')), rounds: rounds.map((r) => Math.round(r.cpuUs)),
    reqPerSec: Math.round(med('rps')), p50Ms: Number(med('p50').toFixed(2)), errors: rounds.reduce((n, r) => n + r.errors, 0),
    readyAfterSpawnMs: Math.round(readyMs), idleRssMb: Math.round(idleRssMb),
  }));
} finally {
  await stop();
  upstream.server.close();
}

function spawnProxy(proxy) {
  const stdio = ['ignore', out, out];
  if (proxy === 'floor') {
    return spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'bench', 'lib', 'floor-proxy.mjs')], { env: { ...process.env, PORT: String(port), UPSTREAM: upstream.url }, stdio });
  }
  if (proxy === 'nginx') {
    // One process (no master): its CPU is the whole proxy's. /api/… goes to the upstream's /….
    const dir = fs.mkdtempSync(path.join(ROOT, '.logs', 'gateway-alone-nginx-'));
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    const conf = `master_process off; daemon off; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  upstream app { server ${new URL(upstream.url).host}; keepalive 64; }
  server { listen 127.0.0.1:${port};
    location /api/ { proxy_pass ${'http://app/'}; proxy_http_version 1.1; proxy_set_header Connection ""; } } }`;
    fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
    return spawn('nginx', ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', path.join(dir, 'nginx.conf')], { stdio });
  }
  return spawn(process.execPath, [...nodeArgs, path.join(appsRoot, 'api-gateway', 'dist', 'main.js')], {
    cwd: path.join(appsRoot, 'api-gateway'), env: gatewayEnv, stdio,
  });
}

function requestFor(route, gatewayPort, auth) {
  const headers = {};
  if (auth) headers.authorization = `Bearer ${token()}`;
  if (route === 'post-order') {
    const body = JSON.stringify({ userId: USER_ID, items: [{ productId: 'product-123', quantity: 3, price: 0.1 }] });
    return { port: gatewayPort, method: 'POST', path: '/api/orders', headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }, body };
  }
  return { port: gatewayPort, method: 'GET', path: `/api/users/${USER_ID}`, headers, body: undefined };
}

/** `count` requests over `connections` keep-alive connections, each sending when the last answered. */
async function closedLoop(target, count, connections) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies = [];
  let sent = 0;
  let errors = 0;
  const t0 = performance.now();
  const one = () => new Promise((resolve) => {
    const started = performance.now();
    const req = http.request({ host: '127.0.0.1', port: target.port, method: target.method, path: target.path, headers: target.headers, agent }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode >= 300) errors++;
        latencies.push(performance.now() - started);
        resolve();
      });
    });
    req.on('error', () => {
      errors++;
      resolve();
    });
    req.end(target.body);
  });
  await Promise.all(Array.from({ length: connections }, async () => {
    while (sent < count) {
      sent++;
      await one();
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  return { rps: count / seconds, p50: median(latencies), errors };
}

function startUpstream() {
  const userJson = JSON.stringify(USER);
  const orderJson = JSON.stringify(ORDER);
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const send = (status, text) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      };
      if (req.url.startsWith('/health/')) return send(200, '{"status":"ok"}');
      if (req.url.startsWith('/auth/sessions/')) return send(200, JSON.stringify({ active: true, userId: USER_ID, role: 'user' }));
      if (req.method === 'GET' && req.url.startsWith('/users/')) return send(200, userJson);
      if (req.method === 'POST' && req.url === '/orders') return send(201, orderJson);
      send(404, '{"statusCode":404,"message":"not here","error":"Not Found"}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}` })));
}

function token() {
  const now = Math.floor(Date.now() / 1000);
  const part = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: USER_ID, roles: ['user'], sid: SESSION_ID, iat: now, exp: now + 3600, iss: 'nest-ms-api-gateway', aud: 'nest-ms-api' })}`;
  return `${head}.${createHmac('sha256', JWT_SECRET).update(head).digest('base64url')}`;
}

async function waitReady(url, since) {
  const deadline = since + 60000;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the ${args.proxy} exited (${child.exitCode}); see ${logFile}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - since;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`the ${args.proxy} was not ready within 60 s; see ${logFile}`);
}

function freePort() {
  return new Promise((resolve) => {
    const s = http.createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = s.address();
      s.close(() => resolve(p));
    });
  });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : 0;
}

function parseArgs(argv) {
  const a = { route: 'get-user', requests: 20000, connections: 16, rounds: 3, cpuProf: undefined, appsRoot: undefined, proxy: 'gateway', env: {} };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--route') a.route = argv[++i];
    else if (arg === '--requests') a.requests = Number(argv[++i]);
    else if (arg === '--connections') a.connections = Number(argv[++i]);
    else if (arg === '--rounds') a.rounds = Number(argv[++i]);
    else if (arg === '--cpu-prof') a.cpuProf = argv[++i];
    else if (arg === '--apps-root') a.appsRoot = argv[++i];
    else if (arg === '--proxy') a.proxy = argv[++i];
    else if (/^[A-Z_][A-Z0-9_]*=/.test(arg)) a.env[arg.slice(0, arg.indexOf('='))] = arg.slice(arg.indexOf('=') + 1);
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!['get-user', 'post-order'].includes(a.route)) throw new Error(`--route: get-user or post-order, not ${a.route}`);
  if (!['gateway', 'floor', 'nginx'].includes(a.proxy)) throw new Error(`--proxy: gateway, floor or nginx, not ${a.proxy}`);
  return a;
}
