import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { repoPath } from './repo';

/** One more built app (`<dir>/dist/main.js`) with its own environment, its output kept line by line. */
export interface SpawnedApp {
  url: string;
  lines: string[];
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts the app and resolves once GET `probe` (its readiness, or /health/live) answers 200. */
export async function spawnApp(dir: string, env: Record<string, string>, readyWithinMs = 60000, probe = '/health/ready'): Promise<SpawnedApp> {
  const port = await freePort();
  const lines: string[] = [];
  const child: ChildProcess = spawn(process.execPath, ['dist/main.js'], {
    cwd: repoPath(dir),
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', OTEL_SDK_DISABLED: 'true', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exited: string | undefined;
  child.on('exit', (code, signal) => (exited = signal ?? `exit code ${code}`));
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop() ?? '';
      lines.push(...parts.filter(Boolean));
    });
  }
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited) return;
    const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await done;
    clearTimeout(timer);
  };
  const deadline = Date.now() + readyWithinMs;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${dir} stopped (${exited}):\n${lines.slice(-20).join('\n')}`);
    const status = await fetch(`${url}${probe}`).then((r) => r.status, () => 0);
    if (status === 200) return { url, lines, stop };
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`${dir} was not ready within ${readyWithinMs} ms:\n${lines.slice(-20).join('\n')}`);
}
