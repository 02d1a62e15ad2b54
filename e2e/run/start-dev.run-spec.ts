import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../support/spawned-app';
import { groupMembers, runInTerminal, statusOf, TerminalCommand, until } from '../support/command';
import { testStackEnv, type TestStackDb } from '../support/apps';
import { repoPath } from '../support/repo';

/**
 * `npm run start:dev` in each app's folder, as the README tells a developer to work on one service:
 * the four at once (four terminals), against the test stack, the gateway in front of the three
 * others. Each must get ready, restart after a source change, and leave nothing behind on Ctrl+C.
 */
const APPS = [
  { dir: 'user-service', db: 'USERS' },
  { dir: 'order-service', db: 'ORDERS' },
  { dir: 'payment-service', db: 'PAYMENTS' },
  { dir: 'api-gateway' },
] as const;
const READY_MS = 150000;
const STARTED = /Nest application successfully started/g;
const PROBE_FILE = 'reload-probe.generated.ts';

interface DevRun {
  dir: string;
  port: number;
  terminal: TerminalCommand;
  readyAfterMs?: number;
}

function env(port: number, db: TestStackDb | undefined, urls: Record<string, string>): NodeJS.ProcessEnv {
  return { ...testStackEnv({ port, db }), ...urls };
}

describe('npm run start:dev in each app folder', () => {
  const runs: DevRun[] = [];

  beforeAll(async () => {
    for (const name of ['KAFKA_BROKER', 'API_KEY', 'TEST_DB_PORT_USERS']) {
      if (!process.env[name]) throw new Error(`${name} is not set: run these tests through npm test (it starts the test stack)`);
    }
    const ports = await Promise.all(APPS.map(() => freePort()));
    const urls = {
      USER_SERVICE_URL: `http://localhost:${ports[0]}`,
      ORDER_SERVICE_URL: `http://localhost:${ports[1]}`,
      PAYMENT_SERVICE_URL: `http://localhost:${ports[2]}`,
    };
    const t0 = Date.now();
    APPS.forEach((app, i) => {
      const terminal = runInTerminal('npm', ['run', 'start:dev'], {
        cwd: repoPath(app.dir),
        env: env(ports[i], 'db' in app ? app.db : undefined, urls),
      });
      runs.push({ dir: app.dir, port: ports[i], terminal });
    });
    await Promise.all(
      runs.map(async (run) => {
        await until(`${run.dir} ready`, () => statusOf(`http://localhost:${run.port}/health/ready`), (s) => s === 200, READY_MS).catch((err) => {
          throw new Error(`${err.message}\n${run.terminal.output().slice(-3000)}`);
        });
        run.readyAfterMs = Date.now() - t0;
      }),
    );
    console.log(`start:dev, four apps at once: ready after ${runs.map((r) => `${r.dir} ${((r.readyAfterMs ?? 0) / 1000).toFixed(1)} s`).join(', ')}`);
  }, READY_MS + 30000);

  afterAll(async () => {
    for (const run of runs) run.terminal.interrupt();
    await Promise.all(runs.map((r) => Promise.race([r.terminal.exited, new Promise((res) => setTimeout(res, 20000).unref())])));
    for (const run of runs) {
      for (const p of groupMembers(run.terminal.pid)) process.kill(p.pid, 'SIGKILL');
      fs.rmSync(repoPath(run.dir, 'src', PROBE_FILE), { force: true });
    }
  });

  it('compiles with decorator metadata: every app answers through the gateway', async () => {
    const gateway = runs.find((r) => r.dir === 'api-gateway')!;
    // Ready means the gateway reached each service's own /health/ready.
    const res = await fetch(`http://localhost:${gateway.port}/health/ready`);
    const body = (await res.json()) as { info?: Record<string, { status: string }> };
    expect(res.status).toBe(200);
    expect(Object.values(body.info ?? {}).map((check) => check.status)).toEqual(['up', 'up', 'up']);
    const list = await fetch(`http://localhost:${gateway.port}/api/orders?limit=1`);
    expect(list.status).toBe(200);
  });

  it('restarts an app within seconds of a source change', async () => {
    const timings: string[] = [];
    for (const run of runs) {
      const before = run.terminal.output().match(STARTED)?.length ?? 0;
      const t0 = Date.now();
      fs.writeFileSync(repoPath(run.dir, 'src', PROBE_FILE), `// written by the start:dev test: a change to reload on\nexport const reloadProbe = ${t0};\n`);
      await until(`${run.dir} restarted`, () => run.terminal.output().match(STARTED)?.length ?? 0, (n) => n > before, 60000);
      await until(`${run.dir} ready again`, () => statusOf(`http://localhost:${run.port}/health/ready`), (s) => s === 200, 60000);
      timings.push(`${run.dir} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      fs.rmSync(repoPath(run.dir, 'src', PROBE_FILE), { force: true });
      await until(`${run.dir} restarted after the removal`, () => run.terminal.output().match(STARTED)?.length ?? 0, (n) => n > before + 1, 60000);
    }
    console.log(`start:dev: change saved -> ready again: ${timings.join(', ')}`);
    expect(timings).toHaveLength(runs.length);
  }, 300000);

  it('stops on Ctrl+C, leaving no process and a free port', async () => {
    for (const run of runs) run.terminal.interrupt();
    await Promise.all(runs.map((r) => r.terminal.exited));
    for (const run of runs) {
      const left = await until(`${run.dir}: its processes gone`, () => groupMembers(run.terminal.pid), (m) => m.length === 0, 15000).catch(() => groupMembers(run.terminal.pid));
      expect({ app: run.dir, left }).toEqual({ app: run.dir, left: [] });
      expect({ app: run.dir, port: await statusOf(`http://localhost:${run.port}/health/live`) }).toEqual({ app: run.dir, port: 0 });
    }
  }, 60000);
});

// The probe file must never stay in a source folder (a killed run) unnoticed: it is git-ignored,
// and any leftover is removed before the next run.
beforeAll(() => {
  for (const app of APPS) fs.rmSync(path.join(repoPath(app.dir), 'src', PROBE_FILE), { force: true });
});
