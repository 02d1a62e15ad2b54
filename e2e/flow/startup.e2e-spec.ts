import { spawn } from 'node:child_process';
import { freePort } from '../support/spawned-app';
import { repoPath } from '../support/repo';

interface Exit {
  code: number | null;
  output: string;
}

/** Runs a built app to its exit (a refused start exits at once; 30 s is a hang, a failure). */
async function startAndWaitForExit(dir: string, env: Record<string, string>): Promise<Exit> {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: repoPath(dir),
    env: { PATH: process.env.PATH ?? '', OTEL_SDK_DISABLED: 'true', PORT: String(await freePort()), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, output };
}

describe('starting in production without the secrets', () => {
  it.each([
    ['api-gateway', ['API_KEY', 'JWT_SECRET']],
    ['user-service', ['API_KEY']],
    ['order-service', ['API_KEY']],
    ['payment-service', ['API_KEY']],
  ])('%s refuses to start, naming %p in one message and no stack trace', async (dir, variables) => {
    const { code, output } = await startAndWaitForExit(dir, { NODE_ENV: 'production' });

    expect(code).toBe(1);
    expect(output).toContain(`${dir} failed to start: Invalid environment`);
    for (const name of variables) expect(output).toMatch(new RegExp(`^\\s+${name}=`, 'm'));
    expect(output).not.toMatch(/^\s+at /m);
  });
});
