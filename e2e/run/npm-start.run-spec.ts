import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freePort } from '../support/spawned-app';
import { descendants, groupMembers, isAlive, runInTerminal, signalGroup, statusOf, tcpOpen, TerminalCommand } from '../support/command';
import { REPO, repoPath } from '../support/repo';

/**
 * `npm start` at the repo root, run as a user runs it, with the settings a user gives it: the
 * user's environment wins, production without secrets is refused, and a run killed with SIGKILL is
 * cleaned up by `npm run infra:stop`, which leaves a live run's servers (this test run's own test
 * stack) alone. It uses the dev profile's ports (Kafka 9094, PostgreSQL 5432/5433/5436) and only
 * reads data: it fails, saying so, when another `npm start` already runs.
 */
const DEV_PORTS = [9094, 5432, 5433, 5436, 3001, 3002, 3003, 3005, 9000];
const START_MS = 240000;

/** The user's environment without anything of this test run's (its test stack, its key). */
function userEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { PATH, HOME, LANG, TERM } = process.env;
  return { PATH, HOME, LANG, TERM, ...extra };
}

function npm(args: string[]): string {
  return execFileSync('npm', ['run', '--silent', ...args], { cwd: REPO, encoding: 'utf8', env: userEnv({}), timeout: 120000 });
}

function testStackPids(): number[] {
  return npm(['infra:status'])
    .split('\n')
    .filter((line) => line.startsWith('[stack:test]'))
    .map((line) => Number(line.match(/ pid (\d+)/)?.[1]));
}

async function finished(run: TerminalCommand, timeoutMs: number): Promise<number | string> {
  const timer = new Promise<string>((resolve) => setTimeout(() => resolve('still running'), timeoutMs).unref());
  return Promise.race([run.exited, timer]);
}

describe('npm start', () => {
  const started: TerminalCommand[] = [];

  beforeAll(async () => {
    const busy = [];
    for (const port of DEV_PORTS) if (await tcpOpen(port)) busy.push(port);
    if (busy.length) throw new Error(`ports ${busy.join(', ')} are in use: stop your own npm start (or npm run infra) to run these tests`);
  });

  afterAll(async () => {
    for (const run of started) signalGroup(run.pid, 'SIGINT');
    await Promise.all(started.map((run) => finished(run, 30000)));
    npm(['infra:stop', 'dev']);
  }, 90000);

  it('npm run infra: Kafka and the three PostgreSQL servers only, and Ctrl+C stops them all', async () => {
    const run = runInTerminal('npm', ['run', 'infra'], { cwd: REPO, env: userEnv({}) });
    started.push(run);
    await run.waitForOutput(/Ctrl\+C stops what was started here/, START_MS);
    for (const port of [9094, 5432, 5433, 5436]) expect({ port, open: await tcpOpen(port) }).toEqual({ port, open: true });
    for (const port of [3001, 3002, 3003, 3005]) expect({ port, open: await tcpOpen(port) }).toEqual({ port, open: false });

    run.interrupt();
    expect([0, 'SIGINT']).toContain(await finished(run, 60000));
    expect(groupMembers(run.pid)).toEqual([]);
    expect(npm(['infra:status', 'dev'])).toMatch(/nothing of ours runs/);
    for (const port of DEV_PORTS) expect({ port, open: await tcpOpen(port) }).toEqual({ port, open: false });
  }, START_MS + 90000);

  it('refuses a setting that cannot apply, naming it, before starting anything', async () => {
    for (const [env, named] of [
      [{ PORT: 'abc' }, /PORT=abc: PORT moves one app, and npm start runs four; move each with API_GATEWAY_PORT/],
      [{ USER_SERVICE_PORT: 'abc' }, /USER_SERVICE_PORT=abc: not a port/],
      [{ USER_SERVICE_PORT: '3002' }, /USER_SERVICE_PORT=3002: the same port as ORDER_SERVICE_PORT|ORDER_SERVICE_PORT=3002.*USER_SERVICE_PORT/],
      [{ API_GATEWAY_PORT: '3001' }, /API_GATEWAY_PORT=3001: that is user-service's port \(move that one too, with USER_SERVICE_PORT\)/],
      [{ ORDER_SERVICE_PORT: '5432' }, /ORDER_SERVICE_PORT=5432: that is the dev PostgreSQL userdb's port/],
    ] as const) {
      const run = runInTerminal('npm', ['start'], { cwd: REPO, env: userEnv({ ...env, ...(env.USER_SERVICE_PORT === '3002' ? { ORDER_SERVICE_PORT: '3002' } : {}) }) });
      started.push(run);
      expect(await finished(run, 60000)).toBe(1);
      expect(run.output()).toMatch(named);
      expect(run.output()).not.toMatch(/start Kafka and PostgreSQL/);
    }
  }, 200000);

  it('a service that stops before it is ready ends the wait for the rest: the gateway, whose readiness is theirs, is given up on, naming them', async () => {
    // DB_PORT=0 is refused by each service's configuration; the gateway has no database and starts.
    const run = runInTerminal('npm', ['start'], { cwd: REPO, env: userEnv({ DB_PORT: '0' }) });
    started.push(run);
    expect(await finished(run, START_MS)).toBe(1);
    const out = run.output();
    for (const app of ['user-service', 'order-service', 'payment-service']) {
      expect(out).toMatch(new RegExp(`${app} failed to start: Invalid environment:[\\s\\S]*?DB_PORT=0`));
    }
    expect(out).toMatch(/api-gateway \(gateway\) not ready \(GET [^)]*\); gave up waiting: (?:user|order|payment)-service[a-z, -]* stopped/);
    expect(out).not.toMatch(/not ready after \d+ s/);
    expect(npm(['infra:status', 'dev'])).toMatch(/nothing of ours runs/);
    for (const port of DEV_PORTS) expect({ port, open: await tcpOpen(port) }).toEqual({ port, open: false });
  }, START_MS + 10000);

  it('in production without JWT_SECRET and API_KEY: every app refuses, naming them, and nothing is left running', async () => {
    const run = runInTerminal('npm', ['start'], { cwd: REPO, env: userEnv({ NODE_ENV: 'production' }) });
    started.push(run);
    expect(await finished(run, START_MS)).toBe(1);
    const out = run.output();
    for (const app of ['api-gateway', 'user-service', 'order-service', 'payment-service']) {
      expect(out).toMatch(new RegExp(`${app} failed to start: Invalid environment:[\\s\\S]*?API_KEY`));
    }
    expect(out).toMatch(/api-gateway failed to start: Invalid environment:[^]*JWT_SECRET/);
    expect(out).not.toMatch(/nest-ms is running/);
    expect(npm(['infra:status', 'dev'])).toMatch(/nothing of ours runs/);
    for (const port of DEV_PORTS) expect({ port, open: await tcpOpen(port) }).toEqual({ port, open: false });
  }, START_MS + 10000);

  it('uses ports the user moves and reports them; after a SIGKILL, infra:status lists what it left and infra:stop stops exactly that', async () => {
    const gatewayPort = await freePort();
    const usersPort = await freePort();
    const testStack = testStackPids();
    expect(testStack.length).toBeGreaterThan(0);

    const run = runInTerminal('npm', ['start'], {
      cwd: REPO,
      env: userEnv({ API_GATEWAY_PORT: String(gatewayPort), USER_SERVICE_PORT: String(usersPort), LOG_LEVEL: 'warn' }),
    });
    started.push(run);
    await run.waitForOutput(/nest-ms is running/, START_MS);
    const out = run.output();
    expect(out).toMatch(new RegExp(`api-gateway +http://localhost:${gatewayPort} +http://localhost:${gatewayPort}/health/ready 200`));
    expect(out).toMatch(new RegExp(`user-service +http://localhost:${usersPort} +http://localhost:${usersPort}/health/ready 200`));
    expect(await statusOf(`http://localhost:3005/health/live`)).toBe(0);
    // The gateway on its moved port reaches user-service on its moved port (a read: dev data stays as it is).
    expect(await statusOf(`http://localhost:${gatewayPort}/api/users?limit=1`)).toBe(200);
    expect(await statusOf(`http://localhost:${gatewayPort}/health/ready`)).toBe(200);

    // The orchestrator dies as with `kill -9`: its apps and servers stay up, unowned.
    // The node process itself, not the `sh -c` npm runs it through (losing its parent, it stops in order).
    const orchestrator = descendants(run.pid).find((p) => /(^|\/)node scripts\/start\.mjs$/.test(p.cmd));
    expect(orchestrator).toBeDefined();
    process.kill(orchestrator!.pid, 'SIGKILL');
    await run.exited;
    const leftApps = groupMembers(run.pid).filter((p) => p.cmd.includes('dist/main.js'));
    // The four apps and the event console.
    expect(leftApps).toHaveLength(5);
    expect(await statusOf(`http://localhost:${usersPort}/health/live`)).toBe(200);

    const status = npm(['infra:status']);
    for (const name of ['app-gateway', 'app-users', 'app-orders', 'app-payments', 'app-console', 'kafka', 'postgres-users', 'postgres-orders', 'postgres-payments']) {
      expect(status).toMatch(new RegExp(`\\[stack:dev\\] ${name} pid \\d+ \\(left running\\)`));
    }
    expect(status).toMatch(/\[stack:test\] kafka pid \d+ \(its run \(pid \d+\) is still active\)/);

    const stop = npm(['infra:stop']);
    expect(stop).toMatch(/\[stack:test\] left alone: kafka/);
    expect(stop).toMatch(/stopped 9 process\(es\); left \d+ that live runs own/);
    for (const app of leftApps) expect({ pid: app.pid, alive: isAlive(app.pid) }).toEqual({ pid: app.pid, alive: false });
    for (const port of [...DEV_PORTS, gatewayPort, usersPort]) expect({ port, open: await tcpOpen(port) }).toEqual({ port, open: false });
    for (const pid of testStack) expect({ pid, alive: isAlive(pid) }).toEqual({ pid, alive: true });
    expect(npm(['infra:status', 'dev'])).toMatch(/nothing of ours runs/);
  }, START_MS + 120000);

  it('after a SIGKILL, the next npm start replaces the apps left running and takes over the servers; Ctrl+C then leaves nothing', async () => {
    const first = runInTerminal('npm', ['start'], { cwd: REPO, env: userEnv({ LOG_LEVEL: 'warn' }) });
    started.push(first);
    await first.waitForOutput(/nest-ms is running/, START_MS);
    process.kill(descendants(first.pid).find((p) => /(^|\/)node scripts\/start\.mjs$/.test(p.cmd))!.pid, 'SIGKILL');
    await first.exited;
    const orphans = groupMembers(first.pid).filter((p) => p.cmd.includes('dist/main.js'));
    expect(orphans).toHaveLength(5);

    const second = runInTerminal('npm', ['start'], { cwd: REPO, env: userEnv({ LOG_LEVEL: 'warn' }) });
    started.push(second);
    await second.waitForOutput(/nest-ms is running/, START_MS);
    const out = second.output();
    expect(out).toMatch(/infra\/console: a killed run left it running \(pid \d+\); stopping it/);
    expect(out).toMatch(/Event console +http:\/\/localhost:9000 /);
    for (const app of ['api-gateway', 'user-service', 'order-service', 'payment-service']) {
      expect(out).toMatch(new RegExp(`${app}: a killed run left it running \\(pid \\d+\\); stopping it`));
      expect(out).toMatch(new RegExp(`${app} +http://localhost:\\d+ +\\S+/health/ready 200`));
    }
    expect(out).toMatch(/Kafka localhost:9094: a killed run left it running \(pid \d+\); using it, and this run stops it/);
    expect(out).not.toMatch(/not started here/);
    for (const orphan of orphans) expect({ pid: orphan.pid, alive: isAlive(orphan.pid) }).toEqual({ pid: orphan.pid, alive: false });

    // The bench refuses to measure this gateway's rate limiter (100 requests per 10 s), saying how
    // to lift it, and leaves the committed report alone.
    const report = readFileSync(repoPath('bench', 'results', 'latest.md'), 'utf8');
    const bench = spawnSync('npm', ['run', 'bench', '--', '--profile', 'dev', '--only', 'gateway', '--no-build', '--nice', '0'], {
      cwd: REPO,
      env: userEnv({}),
      encoding: 'utf8',
      timeout: 120000,
    });
    expect(bench.status).toBe(1);
    expect(bench.stdout).toMatch(/allows a client 100 requests per window[^\n]*THROTTLE_LIMIT=1000000 THROTTLE_AUTH_LIMIT=1000000 npm start/);
    expect(readFileSync(repoPath('bench', 'results', 'latest.md'), 'utf8')).toBe(report);

    second.interrupt();
    // npm ends by the same signal its script got, as in a terminal.
    expect([0, 'SIGINT']).toContain(await finished(second, 60000));
    expect(groupMembers(second.pid)).toEqual([]);
    expect(npm(['infra:status', 'dev'])).toMatch(/nothing of ours runs/);
    for (const port of DEV_PORTS) expect({ port, open: await tcpOpen(port) }).toEqual({ port, open: false });
  }, 2 * START_MS + 60000);
});
