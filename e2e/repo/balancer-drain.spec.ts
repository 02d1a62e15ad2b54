import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { drainKeepAliveOnClose } from '../../api-gateway/src/shared/http/graceful-close';
import { repoPath } from '../support/repo';
import { freePort } from '../support/spawned-app';

// The cluster's nginx (balancerConfig) in front of two gateway stand-ins that close the way the
// apps do (drainKeepAliveOnClose with the cluster profile's HTTP_DRAIN_MS), restarted in turn under
// a steady stream of POSTs. nginx keeps idle connections to each and does not resend a POST whose
// connection broke: stand-ins that closed their idle connections at once cost hundreds of 503s
// here, and so did nginx marking an instance down for 5 s after a refused connection.

const DRAIN_MS = 3000;
const CLIENTS = 16;

/** A POST endpoint on a plain Node server, drained on close like the apps'. */
class StandIn {
  server!: http.Server;
  answered = 0;

  constructor(private readonly port: number) {}

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => setTimeout(() => {
        this.answered++;
        res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}');
      }, 2));
    });
    drainKeepAliveOnClose(this.server, { idleGraceMs: DRAIN_MS });
    await new Promise<void>((r) => this.server.listen(this.port, '127.0.0.1', r));
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

function post(port: number, agent: http.Agent): Promise<string> {
  return new Promise((resolve) => {
    const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/api/orders', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(String(res.statusCode)));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    req.end('{"item":"x"}');
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a gateway restarting behind the cluster balancer', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nest-ms-drain-'));
  let nginx: ChildProcess | undefined;
  const standIns: StandIn[] = [];

  afterAll(async () => {
    nginx?.kill('SIGQUIT');
    await Promise.all(standIns.map((s) => (s.server.listening ? s.stop() : undefined)));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('costs no POST: nginx meets no connection closed under a request it wrote', async () => {
    const [front, ...backs] = [await freePort(), await freePort(), await freePort()];
    const script = `const b = await import(${JSON.stringify(repoPath('infra', 'local', 'balancer.mjs'))});
console.log(JSON.stringify({ found: b.findNginx() ?? null, conf: b.balancerConfig(${JSON.stringify({ port: front, upstreams: backs, dir, logDir: dir })}) }));`;
    const { found, conf } = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as {
      found: { bin: string } | null;
      conf: string;
    };
    if (!found) throw new Error('nginx is not installed: apt-get install nginx-light');
    fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
    for (const port of backs) {
      const s = new StandIn(port);
      await s.start();
      standIns.push(s);
    }
    nginx = spawn(found.bin, ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' });
    const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
    for (let i = 0; (await post(front, agent)) !== '201'; i++) {
      if (i > 50) throw new Error(`nginx did not come up: ${fs.readFileSync(path.join(dir, 'error.log'), 'utf8')}`);
      await sleep(100);
    }

    const outcomes = new Map<string, number>();
    let loading = true;
    const client = async (): Promise<void> => {
      while (loading) {
        const status = await post(front, agent);
        outcomes.set(status, (outcomes.get(status) ?? 0) + 1);
      }
    };
    const clients = Array.from({ length: CLIENTS }, () => client());
    // A rolling restart's step, six times: stop (drain) the stand-in carrying the traffic (client
    // affinity pins it) and start it again.
    let carrying = 0;
    for (let step = 0; step < 6; step++) {
      const before = standIns.map((s) => s.answered);
      await sleep(500);
      const busiest = standIns.reduce((best, s, i) => (s.answered - before[i] > standIns[best].answered - before[best] ? i : best), 0);
      if (standIns[busiest].answered > before[busiest]) carrying++;
      await standIns[busiest].stop();
      await standIns[busiest].start();
    }
    loading = false;
    await Promise.all(clients);
    agent.destroy();

    const summary = Object.fromEntries(outcomes);
    expect(summary).toEqual({ '201': expect.any(Number) });
    expect(carrying).toBe(6); // each stand-in stopped was answering requests just then
    expect(standIns.every((s) => s.answered > 0)).toBe(true); // and the other took them over
    expect(summary['201']).toBeGreaterThan(1000);
  }, 60_000);
});
