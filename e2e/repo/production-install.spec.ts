import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/spawned-app';
import { APPS } from '../support/app-config';
import { repoPath } from '../support/repo';

/**
 * What each image's runtime stage holds, without Docker: the app's package.json and lockfile,
 * `npm ci --omit=dev`, and the built dist/. The production install must hold every module the app
 * loads. The gateway needs nothing else to answer /health/live; a service needs its database, so
 * here it must get as far as trying to reach it (and say so in one line), which is past loading
 * every module it has.
 */
const INSTALL_MS = 180000;

function productionCopy(app: string): string {
  const dir = mkdtempSync(join(tmpdir(), `nest-ms-${app}-prod-`));
  for (const file of ['package.json', 'package-lock.json']) cpSync(repoPath(app, file), join(dir, file));
  cpSync(repoPath(app, 'dist'), join(dir, 'dist'), { recursive: true });
  execFileSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: dir,
    stdio: 'ignore',
    timeout: INSTALL_MS,
  });
  return dir;
}

describe.each(APPS)('%s installed for production (npm ci --omit=dev + dist/, as in its image)', (app) => {
  let dir = '';

  beforeAll(() => {
    if (!existsSync(repoPath(app, 'dist', 'main.js'))) throw new Error(`${app}/dist/main.js is missing: build first (npm test builds)`);
    dir = productionCopy(app);
  }, INSTALL_MS + 10000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has no dev dependency in it', () => {
    for (const devOnly of ['typescript', 'jest', '@nestjs/cli', '@nestjs/testing']) {
      expect({ devOnly, present: existsSync(join(dir, 'node_modules', devOnly)) }).toEqual({ devOnly, present: false });
    }
  });

  it(app === 'api-gateway' ? 'starts with `node dist/main.js` and answers /health/live' : 'starts with `node dist/main.js` and gets as far as its database', async () => {
    const port = await freePort();
    const env = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      OTEL_SDK_DISABLED: 'true',
      PORT: String(port),
      // Nothing listens on port 1: a service stops at its database, the gateway does not need one.
      DB_HOST: '127.0.0.1',
      DB_PORT: '1',
      KAFKA_BROKER: '127.0.0.1:1',
    };
    const child = spawn(process.execPath, ['dist/main.js'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      if (app === 'api-gateway') {
        const deadline = Date.now() + 30000;
        let status = 0;
        while (Date.now() < deadline && status !== 200) {
          status = await fetch(`http://127.0.0.1:${port}/health/live`).then((r) => r.status, () => 0);
          if (status !== 200) await new Promise((r) => setTimeout(r, 200));
        }
        expect({ status, output: status === 200 ? '' : output.slice(-2000) }).toEqual({ status: 200, output: '' });
      } else {
        // TypeORM retries the connection ten times, a second apart, then the app exits 1 in one line.
        const code = await Promise.race([exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 40000))]);
        expect(output).not.toMatch(/Cannot find module|MODULE_NOT_FOUND/);
        expect(output).toMatch(/ECONNREFUSED|connect/i);
        if (code !== 'running') expect(code).toBe(1);
      }
    } finally {
      child.kill('SIGKILL');
    }
  }, 60000);
});
