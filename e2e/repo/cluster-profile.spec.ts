import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoPath } from '../support/repo';

/** Evaluates an ES module expression with the repo's infra/local modules, as JSON. */
function evaluate<T>(body: string): T {
  const script = `const p = await import(${JSON.stringify(repoPath('infra', 'local', 'profiles.mjs'))});
const b = await import(${JSON.stringify(repoPath('infra', 'local', 'balancer.mjs'))});
const a = await import(${JSON.stringify(repoPath('scripts', 'lib', 'apps.mjs'))});
console.log(JSON.stringify(${body}));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
}

interface Profile {
  name: string;
  kafka: { port: number; controllerPort: number; nodes?: { id: number; port: number; controllerPort: number }[] };
  postgres: { port: number }[];
}

describe('the cluster profile (infra/local/profiles.mjs)', () => {
  const profiles = evaluate<Record<string, Profile>>('p.PROFILES');
  const ports = (p: Profile) => [
    ...(p.kafka.nodes ?? [p.kafka]).flatMap((n) => [n.port, n.controllerPort]),
    ...p.postgres.map((d) => d.port),
  ];

  it('is three Kafka nodes on 9094-9096, each broker and controller, and one PostgreSQL per service', () => {
    expect(profiles.cluster.kafka.nodes!.map((n) => n.port)).toEqual([9094, 9095, 9096]);
    expect(profiles.cluster.postgres).toHaveLength(3);
    expect(evaluate<string>('p.brokerList(p.PROFILES.cluster)')).toBe('localhost:9094,localhost:9095,localhost:9096');
  });

  it('shares no port with the stacks npm test runs beside it (test, faults, bench)', () => {
    const taken = new Map<number, string>();
    for (const name of ['test', 'faults', 'bench', 'cluster']) {
      for (const port of ports(profiles[name])) {
        expect({ port, usedBy: [taken.get(port), name].filter(Boolean) }).toEqual({ port, usedBy: [name] });
        taken.set(port, name);
      }
    }
  });

  it('gives instance n of an app port 31<n><app digit>, the gateways and order-service every service instance', () => {
    const env = evaluate<Record<string, Record<string, string>>>(
      `Object.fromEntries(a.APPS.flatMap((app) => [1, 2].map((i) => [app.name + '-' + i, a.appEnv(app, 'cluster', {}, { instance: i, replicas: 2 })])))`,
    );
    expect(Object.fromEntries(Object.entries(env).map(([k, e]) => [k, e.PORT]))).toEqual({
      'gateway-1': '3115',
      'gateway-2': '3125',
      'users-1': '3111',
      'users-2': '3121',
      'orders-1': '3112',
      'orders-2': '3122',
      'payments-1': '3113',
      'payments-2': '3123',
    });
    expect(env['gateway-2']).toMatchObject({
      USER_SERVICE_URL: 'http://localhost:3111,http://localhost:3121',
      ORDER_SERVICE_URL: 'http://localhost:3112,http://localhost:3122',
      PAYMENT_SERVICE_URL: 'http://localhost:3113,http://localhost:3123',
      TRUST_PROXY: '1',
    });
    expect(env['orders-2']).toMatchObject({ USER_SERVICE_URL: 'http://localhost:3111,http://localhost:3121', KAFKA_BROKER: 'localhost:9094,localhost:9095,localhost:9096', DB_PORT: '5465' });
    // The gateway's rate limits stay the configured ones (the run test checks they hold across instances).
    expect(env['gateway-1'].THROTTLE_LIMIT).toBeUndefined();
  });
});

describe('the cluster balancer (infra/local/balancer.mjs)', () => {
  const conf = evaluate<string>(`b.balancerConfig({ port: 3005, upstreams: [3115, 3125], dir: '/tmp/nest-ms-nginx', logDir: '/tmp/nest-ms-nginx/logs' })`);

  it('pins a client to one gateway, passes a request it cannot connect to on to the next, and never sends a write twice', () => {
    expect(conf).toMatch(/hash \$binary_remote_addr consistent;/);
    // Never marked down: with both marked during a rolling restart, nginx answers 503 with one up.
    expect(conf).toMatch(/server 127\.0\.0\.1:3115 max_fails=0;/);
    expect(conf).toMatch(/server 127\.0\.0\.1:3125 max_fails=0;/);
    // Closes an idle connection before a stopping gateway would (HTTP_DRAIN_MS 3 s, Node's 5 s).
    expect(conf).toMatch(/keepalive_timeout 2s;/);
    expect(conf).toMatch(/proxy_next_upstream error timeout;/);
    expect(conf).not.toMatch(/^\s*proxy_next_upstream[^;#]*non_idempotent/m);
    expect(conf).toMatch(/proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;/);
  });

  it('is a configuration nginx accepts', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nest-ms-nginx-'));
    try {
      const file = path.join(dir, 'nginx.conf');
      fs.writeFileSync(file, evaluate<string>(`b.balancerConfig({ port: 3005, upstreams: [3115, 3125], dir: ${JSON.stringify(dir)}, logDir: ${JSON.stringify(dir)} })`));
      const nginx = evaluate<{ bin: string } | null>('b.findNginx() ?? null');
      if (!nginx) throw new Error('nginx is not installed: apt-get install nginx-light');
      expect(() => execFileSync(nginx.bin, ['-t', '-q', '-p', dir, '-e', path.join(dir, 'error.log'), '-c', file], { stdio: 'pipe' })).not.toThrow();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
