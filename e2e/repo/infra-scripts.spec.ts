import { execFileSync, spawnSync } from 'node:child_process';
import { expectedTopics, readRepoFile, repoPath } from '../support/repo';

describe('infra/kafka/create-topics.sh (the compose files\' topic initialiser)', () => {
  it('creates every topic of shared/events/topics.json and its dead-letter topic', () => {
    const out = execFileSync('sh', [repoPath('infra', 'kafka', 'create-topics.sh'), 'kafka:29092', repoPath('shared', 'events', 'topics.json')], {
      env: { ...process.env, DRY_RUN: '1' },
      encoding: 'utf8',
    });
    const { names, partitions } = expectedTopics();
    expect(out.trim().split('\n')).toEqual(names.map((n) => `${n} ${partitions}`));
  });

  it('fails loudly on a file it cannot read topics from', () => {
    const run = () =>
      execFileSync('sh', [repoPath('infra', 'kafka', 'create-topics.sh'), 'kafka:29092', repoPath('package.json')], {
        env: { ...process.env, DRY_RUN: '1' },
        stdio: 'pipe',
      });
    expect(run).toThrow(/could not read topics/);
  });
});

describe('infra/local/cli.mjs (npm run infra, infra:status, infra:stop)', () => {
  it.each([
    [['status', 'nosuch'], 'unknown stack profile "nosuch" (expected dev, test, bench, faults, cluster)'],
    [['stop', '--bogus'], 'unknown option "--bogus" for stop'],
    [['status', '--force'], 'unknown option "--force" for status'],
    [['status', 'dev', 'extra'], 'unexpected argument "extra"'],
    [['frob'], 'unknown command "frob"'],
  ])('%j: one line naming the problem, the usage and exit code 2, before acting', (args, problem) => {
    const run = spawnSync(process.execPath, [repoPath('infra', 'local', 'cli.mjs'), ...args], { encoding: 'utf8', timeout: 30000 });
    expect(run.status).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe(problem);
    expect(run.stderr).toContain('usage: npm run infra | npm run infra:test');
    expect(run.stderr).not.toMatch(/\bat .*\.mjs:\d+/);
    expect(run.stdout).toBe('');
  });
});

describe('infra/setup-test-db.sh', () => {
  it('is valid bash', () => {
    expect(() => execFileSync('bash', ['-n', repoPath('infra', 'setup-test-db.sh')])).not.toThrow();
  });

  it.each([
    ['userdb_test', 5434],
    ['orderdb_test', 5435],
    ['paymentdb_test', 5437],
  ])('creates %s on port %i by default, only when missing', (name, port) => {
    expect(readRepoFile('infra', 'setup-test-db.sh')).toContain(`create_db "\${DB_PORT:-${port}}" ${name}`);
    expect(readRepoFile('infra', 'setup-test-db.sh')).toContain('SELECT 1 FROM pg_database');
  });
});

describe('shared/ copies in the apps', () => {
  it('have not drifted from shared/ (npm run sync:shared fixes it)', () => {
    expect(() => execFileSync(process.execPath, [repoPath('shared', 'sync.mjs'), '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});

describe('scripts/peek-events.mjs (the demo prints a sign-up\'s events with it)', () => {
  const peek = (...args: string[]) => spawnSync(process.execPath, [repoPath('scripts', 'peek-events.mjs'), ...args], { encoding: 'utf8', timeout: 30000 });

  it('--help prints the usage and exits 0 without reaching for Kafka', () => {
    const run = peek('--help');
    expect({ status: run.status, stdout: run.stdout.trim(), stderr: run.stderr }).toEqual({
      status: 0,
      stdout: 'usage: node scripts/peek-events.mjs [--broker host:port[,host:port...]] <id> [<id> ...]',
      stderr: '',
    });
  });

  it.each([[['--bogus', 'id-1'], 'peek-events: unknown option --bogus'], [[], 'usage:'], [['--broker'], 'usage:'], [['--broker', 'localhost:1'], 'usage:']])(
    '%j: refused with the usage and exit 2, before connecting',
    (args, first) => {
      const run = peek(...args);
      expect(run.status).toBe(2);
      expect(run.stderr.split('\n')[0].startsWith(first)).toBe(true);
      expect(run.stderr).toContain('usage: node scripts/peek-events.mjs');
    },
  );
});
