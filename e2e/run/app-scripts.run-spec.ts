import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { freePort } from '../support/spawned-app';
import { groupMembers, runInTerminal, statusOf, TerminalCommand, until } from '../support/command';
import { testStackEnv, type TestStackDb } from '../support/apps';
import { repoPath } from '../support/repo';

/**
 * The other scripts README's "Working on one service" lists for an app folder, run there exactly
 * so, on order-service (a database, migrations, Kafka both ways) against the test stack:
 * `npm start`, `npm run start:prod`, `npm run start:debug` each get ready and leave nothing on
 * Ctrl+C; `npm run migration:run` finds nothing pending once the app has migrated, and
 * `npm run migration:generate` finds no difference between the entities and the migrations.
 */
const DIR = repoPath('order-service');
const READY_MS = 120000;
const INSPECTOR_PORT = 9229;

function env(port?: number): NodeJS.ProcessEnv {
  return {
    ...testStackEnv({ port, db: 'ORDERS' }),
    // Its own group and client id: the test stack's order-service keeps its partitions.
    KAFKA_CONSUMER_GROUP: 'order-service-app-scripts',
    KAFKA_CLIENT_ID: 'order-service-app-scripts',
    USER_SERVICE_URL: 'http://127.0.0.1:9',
    PAYMENT_SERVICE_URL: 'http://127.0.0.1:9',
  };
}

/** Runs `npm <args>` in the folder until it answers ready, then Ctrl+C; what it left, and its output. */
async function readyThenInterrupted(args: string[], check?: () => Promise<void>): Promise<{ left: unknown[]; output: string }> {
  const port = await freePort();
  const terminal: TerminalCommand = runInTerminal('npm', args, { cwd: DIR, env: env(port) });
  try {
    await until(`npm ${args.join(' ')}: ready`, () => statusOf(`http://localhost:${port}/health/ready`), (s) => s === 200, READY_MS).catch((err: Error) => {
      throw new Error(`${err.message}\n${terminal.output().slice(-3000)}`);
    });
    await check?.();
  } finally {
    terminal.interrupt();
    await Promise.race([terminal.exited, new Promise((resolve) => setTimeout(resolve, 20000).unref())]);
  }
  const left = await until('its processes gone', () => groupMembers(terminal.pid), (m) => m.length === 0, 15000).catch(() => groupMembers(terminal.pid));
  for (const p of left) process.kill(p.pid, 'SIGKILL');
  expect(await statusOf(`http://localhost:${port}/health/live`)).toBe(0);
  return { left, output: terminal.output() };
}

function npmRun(args: string[], extra: NodeJS.ProcessEnv = {}) {
  return spawnSync('npm', ['run', ...args], { cwd: DIR, env: { ...env(), ...extra }, encoding: 'utf8', timeout: 120000 });
}

describe("an app folder's scripts, as README's \"Working on one service\" lists them (order-service)", () => {
  beforeAll(() => {
    for (const name of ['KAFKA_BROKER', 'API_KEY', 'TEST_DB_PORT_ORDERS']) {
      if (!process.env[name]) throw new Error(`${name} is not set: run these tests through npm test (it starts the test stack)`);
    }
  });

  it('npm start (build once, then run): ready, and nothing left on Ctrl+C', async () => {
    const run = await readyThenInterrupted(['start']);

    expect(run.left).toEqual([]);
    expect(run.output).toMatch(/Nest application successfully started/);
  }, READY_MS + 60000);

  it('npm run start:prod (the built dist/main.js): ready, and nothing left on Ctrl+C', async () => {
    expect((await readyThenInterrupted(['run', 'start:prod'])).left).toEqual([]);
  }, READY_MS + 60000);

  it(`npm run start:debug: ready with the inspector on 127.0.0.1:${INSPECTOR_PORT}, using the stack it is given; nothing left on Ctrl+C`, async () => {
    const run = await readyThenInterrupted(['run', 'start:debug'], async () => {
      const inspector = await fetch(`http://127.0.0.1:${INSPECTOR_PORT}/json/version`);
      expect(inspector.status).toBe(200);
      expect(await inspector.json()).toMatchObject({ Browser: expect.stringMatching(/^node\.js\//) });
    });

    expect(run.left).toEqual([]);
    expect(run.output).not.toMatch(/starting Kafka|starting PostgreSQL/i);
  }, READY_MS + 60000);

  it('npm run migration:run: nothing pending on a database the app has migrated; a bad setting is one message, no stack trace', () => {
    const run = npmRun(['migration:run']);

    expect({ status: run.status, output: run.stdout + run.stderr }).toEqual({ status: 0, output: expect.stringContaining('order-service: no pending migrations') });

    const misconfigured = npmRun(['migration:run'], { DB_PORT: 'abc' });
    expect(misconfigured.status).toBe(1);
    expect(misconfigured.stderr).toMatch(/^order-service: migrations failed: Invalid environment:\n {2}DB_PORT="abc": /m);
    expect(misconfigured.stderr).not.toMatch(/^\s+at /m);
  });

  it.each<[string, TestStackDb]>([
    ['user-service', 'USERS'],
    ['order-service', 'ORDERS'],
    ['payment-service', 'PAYMENTS'],
  ])('npm run migration:generate in %s: its entities and its migrations describe the same schema', (dir, db) => {
    const migrations = repoPath(dir, 'src', 'database', 'migrations');
    const before = fs.readdirSync(migrations);
    const npmIn = (args: string[]) =>
      spawnSync('npm', ['run', ...args], {
        cwd: repoPath(dir),
        env: testStackEnv({ db }),
        encoding: 'utf8',
        timeout: 120000,
      });
    expect(npmIn(['migration:run']).status).toBe(0);
    const run = npmIn(['migration:generate', '--', 'src/database/migrations/AppScriptsDriftProbe']);
    const written = fs.readdirSync(migrations).filter((f) => !before.includes(f));
    // What a drift would be, in the failure: the statements generated to close it.
    const drift = written.map((f) => fs.readFileSync(`${migrations}/${f}`, 'utf8'));
    for (const f of written) fs.rmSync(`${migrations}/${f}`);

    expect({ drift, output: run.stdout + run.stderr }).toEqual({ drift: [], output: expect.stringContaining('No changes in database schema were found') });
  });
});
