import { existsSync } from 'node:fs';
import { APPS, appConfig } from '../support/app-config';
import { readRepoFile, repoPath } from '../support/repo';

/** The instructions of a Dockerfile, continuation lines joined, comments dropped. */
function instructions(app: string): Array<{ op: string; args: string }> {
  return readRepoFile(app, 'Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() && !line.trim().startsWith('#'))
    .map((line) => {
      const [op, ...rest] = line.trim().split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

/** Instructions grouped by stage (FROM ... AS name). */
function stages(app: string): Record<string, Array<{ op: string; args: string }>> {
  const out: Record<string, Array<{ op: string; args: string }>> = {};
  let current = '';
  for (const i of instructions(app)) {
    if (i.op === 'FROM') current = /\bAS\s+(\S+)/i.exec(i.args)?.[1] ?? i.args;
    if (current) (out[current] ??= []).push(i);
  }
  return out;
}

describe.each(APPS)('%s/Dockerfile', (app) => {
  const pkg = JSON.parse(readRepoFile(app, 'package.json'));
  const all = instructions(app);
  const { build, runtime } = stages(app);

  it('builds with the dev dependencies and runs with the production ones only', () => {
    expect(build.map((i) => i.args)).toEqual(expect.arrayContaining(['npm ci --ignore-scripts --no-audit --no-fund', 'npm run build']));
    const installs = runtime.filter((i) => i.op === 'RUN' && i.args.includes('npm ci'));
    expect(installs).toHaveLength(1);
    expect(installs[0].args).toContain('--omit=dev');
    expect(runtime.filter((i) => i.op === 'COPY').map((i) => i.args)).toEqual(['package.json package-lock.json ./', '--from=build /app/dist ./dist']);
  });

  it('starts from Node 20 slim pinned to a patch version, in both stages', () => {
    const image = all.find((i) => i.op === 'ARG' && i.args.startsWith('NODE_IMAGE='))!.args.split('=')[1];
    expect(image).toMatch(/^node:20\.\d+\.\d+-[a-z]+-slim$/);
    expect(all.filter((i) => i.op === 'FROM').map((i) => i.args.split(/\s+/)[0])).toEqual(['${NODE_IMAGE}', '${NODE_IMAGE}']);
    // The engines range of the app accepts that Node.
    expect(pkg.engines.node).toBe('>=20.19');
  });

  it('runs as a numeric non-root user the command `npm run start:prod` runs (as the root npm start does)', () => {
    const user = runtime.filter((i) => i.op === 'USER').pop()!.args;
    expect(user).toMatch(/^[1-9]\d*(:\d+)?$/);
    const cmd = JSON.parse(runtime.find((i) => i.op === 'CMD')!.args);
    expect(cmd.join(' ')).toBe(pkg.scripts['start:prod']);
    expect(runtime.find((i) => i.op === 'EXPOSE')!.args).toBe(String(appConfig(app).port));
  });

  it('copies only paths that exist in the app folder, and its build writes dist/ from src/ alone', () => {
    const sources = build
      .filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const source of sources) expect({ source, exists: existsSync(repoPath(app, source)) }).toEqual({ source, exists: true });
    const ignored = readRepoFile(app, '.dockerignore').split('\n').map((l) => l.trim());
    expect(sources.filter((s) => ignored.includes(s))).toEqual([]);
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist']));
    // The context is the app folder: a build step that reaches outside it cannot work in the image.
    expect(pkg.scripts.build).not.toMatch(/\.\.\//);
    const tsconfig = JSON.parse(readRepoFile(app, 'tsconfig.json'));
    const tsconfigBuild = JSON.parse(readRepoFile(app, 'tsconfig.build.json'));
    expect(tsconfig.compilerOptions.outDir).toBe('./dist');
    expect(tsconfigBuild.compilerOptions.rootDir).toBe('./src');
    // dist/main.js (CMD) and dist/database/migrate.js (the chart's init container) come from these.
    expect(existsSync(repoPath(app, 'src', 'main.ts'))).toBe(true);
    if (appConfig(app).variables.has('DB_HOST')) expect(existsSync(repoPath(app, 'src', 'database', 'migrate.ts'))).toBe(true);
  });
});
