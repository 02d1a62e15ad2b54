#!/usr/bin/env node
// Holds the cluster profile (infra/local/cluster.mjs) for the cluster fault suite: Jest's test
// files run in sandboxes that cannot keep one Cluster object between them (nor load these ES
// modules), so this process starts it once and serves its methods on a local port:
//   POST /call { method, args }  → { result } | { error }    (methods: see ALLOWED)
//   POST /stop                   → stops the cluster (nginx, apps, brokers, PostgreSQL), then exits
// It writes { port, pid } to the state file given as its argument once the cluster is ready, or
// { error } when it could not start. It stops everything when its parent (Jest) goes away.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const [stateFile, replicasArg] = process.argv.slice(2);
const local = (m) => import(path.join(REPO, 'infra', 'local', m));
const log = (m) => process.stderr.write(`[cluster] ${m}\n`);

/** What the suite may ask for: the cluster's own API, nothing else. */
const ALLOWED = new Set([
  'brokers', 'metadata', 'busiestLeader', 'signalBroker', 'stopBroker', 'startBroker', 'waitInSync',
  'instances', 'signalInstance', 'stopInstance', 'startInstance',
]);

let cluster;
let stopping;
const stop = (why) => {
  stopping ??= (async () => {
    log(`stopping the cluster (${why})`);
    await cluster?.stop().catch((err) => log(`stop: ${err.message}`));
    process.exit(0);
  })();
  return stopping;
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void stop(signal));

try {
  const { ensureInstalled } = await local('install.mjs');
  await ensureInstalled(path.join(REPO, 'infra', 'local'), { log });
  const { stopWhenOrphaned } = await local('procs.mjs');
  stopWhenOrphaned();
  const { CLUSTER, startCluster } = await local('cluster.mjs');
  cluster = await startCluster({
    replicas: Number(replicasArg ?? 2),
    log,
    quietApps: true,
    onStack: () => undefined,
  });
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      const answer = (status, value) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      try {
        if (req.url === '/stop') {
          answer(200, { result: 'stopping' });
          await stop('asked by the suite');
          return;
        }
        const { method, args = [] } = JSON.parse(body || '{}');
        if (req.url !== '/call' || !ALLOWED.has(method)) return answer(404, { error: `no such call: ${req.url} ${method}` });
        const result = await cluster[method](...args);
        // startInstance answers with the running child: only its name and pid are of use.
        answer(200, { result: result && typeof result === 'object' && 'child' in result ? { name: result.name, pid: result.child.pid } : (result ?? null) });
      } catch (err) {
        answer(500, { error: err.message });
      }
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const dbs = Object.fromEntries(CLUSTER.postgres.map((p) => [p.name, { port: p.port, database: p.database }]));
    const state = { port: server.address().port, pid: process.pid, entry: cluster.entry, replicas: cluster.replicas, env: cluster.env, dbs };
    fs.writeFileSync(stateFile, JSON.stringify(state) + '\n');
    log(`ready; control on 127.0.0.1:${state.port}`);
  });
} catch (err) {
  fs.writeFileSync(stateFile, JSON.stringify({ error: err.message }) + '\n');
  log(`could not start: ${err.message}`);
  await cluster?.stop().catch(() => undefined);
  process.exit(1);
}
