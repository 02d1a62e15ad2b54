import { execFileSync } from 'node:child_process';
import { descendants, isAlive, runInTerminal, statusOf, tcpOpen, until } from '../support/command';
import { REPO } from '../support/repo';

/**
 * `npm run bench` killed with SIGKILL mid-run: everything it started (its Kafka, three PostgreSQL
 * servers, four apps, nginx) is listed by `npm run infra:status` and stopped by `npm run
 * infra:stop`, while this test run's own test stack, whose run is alive, is left running.
 */
const BENCH_APP_PORTS = [5001, 5002, 5003, 5005];
const BENCH_PORTS = [9100, 5454, 5455, 5457, ...BENCH_APP_PORTS];

function npm(args: string[]): string {
  return execFileSync('npm', ['run', '--silent', ...args], { cwd: REPO, encoding: 'utf8', timeout: 120000 });
}

const nginxInstalled = (() => {
  try {
    execFileSync('nginx', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('a SIGKILLed npm run bench', () => {
  it('leaves only what infra:stop finds and stops', async () => {
    const testStack = npm(['infra:status', 'test'])
      .split('\n')
      .map((line) => Number(line.match(/ pid (\d+)/)?.[1]))
      .filter(Boolean);
    expect(testStack.length).toBeGreaterThan(0);

    const { PATH, HOME } = process.env;
    const bench = runInTerminal('npm', ['run', 'bench', '--', '--only', 'gateway', '--no-build', '--nice', '0'], { cwd: REPO, env: { PATH, HOME } });
    try {
      // Its apps are up, and (when nginx is installed) its nginx: the bench is measuring.
      await bench.waitForOutput(nginxInstalled ? /── gateway/ : /warm-up/, 240000);
      for (const port of BENCH_APP_PORTS) expect(await statusOf(`http://localhost:${port}/health/ready`)).toBe(200);
    } catch (err) {
      bench.interrupt(); // the bench stops what it started on Ctrl+C
      await bench.exited;
      throw err;
    }
    // Only the runner: the apps and nginx share its process group, as they would in a terminal
    // where the bench alone was killed.
    const runner = descendants(bench.pid).find((p) => /(^|\/)node bench\/run\.mjs\b/.test(p.cmd));
    expect(runner).toBeDefined();
    process.kill(runner!.pid, 'SIGKILL');
    await bench.exited;

    const status = npm(['infra:status']);
    const expected = ['app-users', 'app-orders', 'app-payments', 'app-gateway', 'kafka', 'postgres-users', 'postgres-orders', 'postgres-payments'];
    if (nginxInstalled) expected.push('nginx');
    const leftPids = expected.map((name) => {
      const match = status.match(new RegExp(`\\[stack:bench\\] ${name} pid (\\d+) \\(left running\\)`));
      expect({ name, listed: Boolean(match) }).toEqual({ name, listed: true });
      return Number(match?.[1]);
    });

    const stop = npm(['infra:stop']);
    expect(stop).toMatch(new RegExp(`stopped ${expected.length} process\\(es\\); left \\d+ that live runs own`));
    for (const pid of leftPids) expect({ pid, alive: isAlive(pid) }).toEqual({ pid, alive: false });
    for (const port of BENCH_PORTS) {
      await until(`port ${port} closed`, () => tcpOpen(port), (open) => !open, 10000);
    }
    for (const pid of testStack) expect({ pid, alive: isAlive(pid) }).toEqual({ pid, alive: true });
    expect(npm(['infra:status', 'bench'])).toMatch(/nothing of ours runs/);
  }, 420000);
});
