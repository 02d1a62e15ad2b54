import { execFileSync, spawn } from 'node:child_process';
import http from 'node:http';
import { Kafka, logLevel, ConfigResourceTypes } from 'kafkajs';
import { groupMembers, isAlive, runInTerminal, tcpOpen, TerminalCommand, until } from '../support/command';
import { expectedTopics, REPO, repoPath } from '../support/repo';

/**
 * `npm run start:cluster` exactly as the README's "Running as a cluster" says: three Kafka brokers,
 * two instances of every app, nginx on 3005. It uses the dev profile's entry ports (3005, Kafka
 * 9094, the console's 9000), so it fails, saying so, when `npm start` runs.
 */
const BROKERS = [9094, 9095, 9096];
const CONTROLLERS = [9193, 9194, 9195];
const POSTGRES = [5464, 5465, 5467];
// 31<instance><app digit>: user-, order-, payment-service, gateway; two instances.
const INSTANCES = [3111, 3112, 3113, 3115, 3121, 3122, 3123, 3125];
const ALL_PORTS = [3005, 9000, ...BROKERS, ...CONTROLLERS, ...POSTGRES, ...INSTANCES];
const START_MS = 240000;
// The gateway's default limit (THROTTLE_LIMIT per THROTTLE_TTL_MS = 100 per 10 s, per client and route).
const LIMIT = 100;

/** The user's environment without anything of this test run's (its test stack, its key). */
function userEnv(): NodeJS.ProcessEnv {
  const { PATH, HOME, LANG, TERM } = process.env;
  return { PATH, HOME, LANG, TERM };
}

/**
 * One request to nginx on 3005 from a chosen loopback address (127.0.0.0/8 is all ours): the
 * balancer pins clients by address, so different addresses play different clients.
 */
function request(
  from: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: 3005,
        method,
        path,
        localAddress: from,
        agent: false,
        headers: { ...(data ? { 'content-type': 'application/json' } : {}), ...headers },
        timeout: 10000,
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: kept as text
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 10 s`)));
    req.on('error', reject);
    req.end(data);
  });
}

async function finished(run: TerminalCommand, timeoutMs: number): Promise<number | string> {
  const timer = new Promise<string>((resolve) => setTimeout(() => resolve('still running'), timeoutMs).unref());
  return Promise.race([run.exited, timer]);
}

/** The broker that leads most partitions of our topics. */
async function busiestLeader(kafka: Kafka): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: expectedTopics().names });
    const led = new Map<number, number>();
    for (const p of topics.flatMap((t) => t.partitions)) led.set(p.leader, (led.get(p.leader) ?? 0) + 1);
    return [...led].sort((a, b) => b[1] - a[1])[0][0];
  } finally {
    await admin.disconnect();
  }
}

/**
 * Runs `demo-quick.sh` as a user would, and does `fault` a second into it (if given). Rejects, when
 * the demo fails or outlives `timeoutMs`, with everything it printed, each line stamped with the
 * second it came, so that a failure says which step waited and for how long.
 */
function demo(timeoutMs: number, env: NodeJS.ProcessEnv, fault?: () => void): Promise<{ stdout: string; ms: number; steps: string }> {
  const t0 = Date.now();
  const child = spawn('bash', [repoPath('demo-quick.sh')], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  const log: string[] = [];
  const stamp = (stream: string) => (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').replace(/\x1b\[[0-9;]*m/g, '').split('\n').filter(Boolean)) log.push(`${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s ${stream} ${line}`);
  };
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stdout.on('data', stamp('out'));
  child.stderr.on('data', stamp('err'));
  const faultTimer = fault ? setTimeout(fault, 1000) : undefined;
  const killTimer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.on('close', (code, signal) => {
      clearTimeout(faultTimer);
      clearTimeout(killTimer);
      const ms = Date.now() - t0;
      // When each step began: where the time of a slow run went.
      const steps = log.filter((l) => / out == \d/.test(l)).map((l) => l.replace(/ s out == (\d+)\..*/, ' s: step $1').trim()).join(', ');
      if (code === 0) return resolve({ stdout, ms, steps });
      const why = signal ? `killed (${signal}) after ${ms / 1000} s, the test's limit` : `exited ${code} after ${ms / 1000} s`;
      reject(new Error(`demo-quick.sh ${why}:\n${log.slice(-60).join('\n')}`));
    });
  });
}

describe('npm run start:cluster', () => {
  let run: TerminalCommand | undefined;

  beforeAll(async () => {
    const busy = [];
    for (const port of ALL_PORTS) if (await tcpOpen(port)) busy.push(port);
    if (busy.length) throw new Error(`ports ${busy.join(', ')} are in use: stop your own npm start / start:cluster to run these tests`);
  });

  afterAll(async () => {
    if (run) {
      run.interrupt();
      await finished(run, 60000);
    }
    execFileSync('npm', ['run', '--silent', 'infra:stop', 'cluster'], { cwd: REPO, env: userEnv(), timeout: 120000 });
  }, 180000);

  it('runs 3 brokers and 2 instances of every app behind nginx; the API, the demo and the rate limits work through 3005; Ctrl+C leaves nothing', async () => {
    run = runInTerminal('npm', ['run', 'start:cluster'], { cwd: REPO, env: userEnv() });
    // The table's last line: the whole table has been printed.
    await run.waitForOutput(/nest-ms cluster is running[^]*\n {2}Logs +\.logs\/cluster\//, START_MS);
    const out = run.output();

    // The table: the entry, every instance ready, the three brokers.
    expect(out).toMatch(/nginx \(entry\) +http:\/\/localhost:3005 +http:\/\/localhost:3005\/health\/ready 200 +\d+/);
    for (const [dir, digit] of [['user-service', 1], ['order-service', 2], ['payment-service', 3], ['api-gateway', 5]] as const) {
      for (const instance of [1, 2]) {
        const port = 3100 + 10 * instance + digit;
        expect(out).toMatch(new RegExp(`${dir} +${instance} +http://localhost:${port} +http://localhost:${port}/health/ready 200 +\\d+`));
      }
    }
    for (const [i, port] of BROKERS.entries()) expect(out).toMatch(new RegExp(`Kafka ${i + 1} +localhost:${port} .*pid \\d+`));
    // Every pid the table names: nginx, 8 instances, 3 brokers, 3 PostgreSQL servers.
    const start = out.indexOf('nest-ms cluster is running');
    const table = out.slice(start, out.indexOf('\n  Logs', start));
    const pids = [...table.matchAll(/(?:localhost:\d+\/health\/ready 200 +|pid )(\d+)/g)].map((m) => Number(m[1]));
    expect(pids).toHaveLength(1 + 8 + 3 + 3);

    // Kafka: three brokers; every topic 3 replicas, 2 in sync required, at least 6 partitions, no unclean election.
    const kafka = new Kafka({ clientId: 'cluster-run-spec', brokers: BROKERS.map((p) => `localhost:${p}`), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { brokers } = await admin.describeCluster();
      expect(brokers.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);
      const { names } = expectedTopics();
      const { topics } = await admin.fetchTopicMetadata({ topics: names });
      expect(topics.map((t) => t.name).sort()).toEqual([...names].sort());
      for (const t of topics) {
        expect({ topic: t.name, atLeast6: t.partitions.length >= 6 }).toEqual({ topic: t.name, atLeast6: true });
        for (const p of t.partitions) expect({ topic: t.name, partition: p.partitionId, replicas: p.replicas.length }).toEqual({ topic: t.name, partition: p.partitionId, replicas: 3 });
      }
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['min.insync.replicas', 'unclean.leader.election.enable'] })),
      });
      for (const r of configs.resources) {
        const value = (n: string) => r.configEntries.find((e) => e.configName === n)?.configValue;
        expect({ topic: r.resourceName, minIsr: value('min.insync.replicas'), unclean: value('unclean.leader.election.enable') }).toEqual({
          topic: r.resourceName,
          minIsr: '2',
          unclean: 'false',
        });
      }
    } finally {
      await admin.disconnect();
    }

    // A sign-up through 3005, as with curl, reaches `paid` (its welcome order).
    const email = `cluster-${Date.now()}@example.com`;
    const created = JSON.parse(
      execFileSync('curl', ['-sS', '-X', 'POST', 'http://localhost:3005/api/users', '-H', 'Content-Type: application/json', '-d', JSON.stringify({ email, name: 'Cluster User', password: 'SecurePass123!' })], {
        encoding: 'utf8',
      }),
    );
    expect(created).toMatchObject({ id: expect.any(String), email });
    await until(
      'welcome order paid',
      async () => {
        const orders = JSON.parse(execFileSync('curl', ['-sS', `http://localhost:3005/api/orders?userId=${created.id}`], { encoding: 'utf8' }));
        return Array.isArray(orders) ? orders.map((o: { kind: string; status: string }) => `${o.kind}:${o.status}`) : [JSON.stringify(orders)];
      },
      (statuses) => statuses.includes('welcome:paid'),
      60000,
    );

    // Clients (here: loopback addresses) are spread over both gateway instances.
    const servedBy = new Set<string>();
    for (let i = 1; i <= 16; i++) servedBy.add(String((await request(`127.0.0.${i + 10}`, 'GET', '/health/live')).headers['x-gateway-instance']));
    expect([...servedBy].sort()).toEqual(['127.0.0.1:3115', '127.0.0.1:3125']);

    // One client over the limit is limited at the configured limit, not 2 x: every one of its
    // requests reaches the same instance, which sees the client's own address.
    const client = '127.0.0.77';
    const answers = await Promise.all(Array.from({ length: LIMIT + 50 }, () => request(client, 'GET', '/api/payments?limit=1')));
    const statuses = answers.map((a) => a.status);
    expect({ ok: statuses.filter((s) => s === 200).length, limited: statuses.filter((s) => s === 429).length }).toEqual({ ok: LIMIT, limited: 50 });
    expect(new Set(answers.map((a) => a.headers['x-gateway-instance'])).size).toBe(1);
    // Another client is not limited by it (the gateway tells clients apart behind nginx).
    expect((await request('127.0.0.78', 'GET', '/api/payments?limit=1')).status).toBe(200);

    // The demo, unchanged, against the cluster.
    const plain = await demo(120000, { ...userEnv(), DEMO_TIMEOUT_S: '60' });
    expect(plain.stdout).toMatch(/order [0-9a-f-]{36}: paid/);
    expect(plain.stdout).toContain('payment.completed');
    expect(plain.stdout).toContain('"statusCode": 400');

    // The demo again, unchanged, while a broker dies (kill -9 of the one leading most partitions), and
    // again while an order-service instance dies: the same story, only slower.
    const brokerPids = new Map([...out.matchAll(/Kafka (\d) +localhost:\d+ .*pid (\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]));
    const leader = await busiestLeader(kafka);
    const duringBrokerKill = await demo(300000, userEnv(), () => process.kill(brokerPids.get(leader)!, 'SIGKILL'));
    expect(duringBrokerKill.stdout).toMatch(/order [0-9a-f-]{36}: paid/);
    expect(duringBrokerKill.stdout).toContain('payment.completed');
    const orders2 = Number(out.match(/order-service +2 +http:\/\/localhost:3122 +\S+ 200 +(\d+)/)?.[1]);
    const duringInstanceKill = await demo(300000, userEnv(), () => process.kill(orders2, 'SIGKILL'));
    expect(duringInstanceKill.stdout).toMatch(/order [0-9a-f-]{36}: paid/);
    expect(duringInstanceKill.stdout).toContain('payment.completed');
    console.log(
      `[run] the demo took ${(duringBrokerKill.ms / 1000).toFixed(1)} s with broker ${leader} killed 1 s into it, ` +
        `${(duringInstanceKill.ms / 1000).toFixed(1)} s with order-service 2 killed 1 s into it ` +
        `(steps began at ${duringBrokerKill.steps}; ${duringInstanceKill.steps})`,
    );

    // A gateway instance killed (kill -9): its clients' GETs are answered by the other one, none fails.
    const gateway1 = Number(out.match(/api-gateway +1 +http:\/\/localhost:3115 +\S+ 200 +(\d+)/)?.[1]);
    const pinned = [...Array(16).keys()].map((i) => `127.0.0.${i + 10}`);
    const onFirst: string[] = [];
    for (const from of pinned) if ((await request(from, 'GET', '/health/live')).headers['x-gateway-instance'] === '127.0.0.1:3115') onFirst.push(from);
    expect(onFirst.length).toBeGreaterThan(0);
    process.kill(gateway1, 'SIGKILL');
    const afterKill = await Promise.all(onFirst.flatMap((from) => [1, 2, 3].map(() => request(from, 'GET', '/api/orders?limit=1'))));
    // nginx lists every instance it tried ("127.0.0.1:3115, 127.0.0.1:3125"); the last one answered.
    const answeredBy = (a: { headers: http.IncomingHttpHeaders }) => String(a.headers['x-gateway-instance']).split(', ').pop();
    expect(afterKill.map((a) => `${a.status} ${answeredBy(a)}`)).toEqual(afterKill.map(() => '200 127.0.0.1:3125'));

    // Ctrl+C: everything stops, nothing is left.
    run.interrupt();
    expect([0, 'SIGINT']).toContain(await finished(run, 90000));
    expect(groupMembers(run.pid)).toEqual([]);
    for (const pid of pids) expect({ pid, alive: isAlive(pid) }).toEqual({ pid, alive: false });
    expect(execFileSync('npm', ['run', '--silent', 'infra:status', 'cluster'], { cwd: REPO, env: userEnv(), encoding: 'utf8' })).toMatch(/nothing of ours runs/);
    for (const port of ALL_PORTS) expect({ port, open: await tcpOpen(port) }).toEqual({ port, open: false });
  }, START_MS + 900000);
});
