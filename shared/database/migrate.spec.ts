import type { DataSource } from 'typeorm';
import { MIGRATION_LOCK_KEY, migrateAndExit, runMigrationsExclusively } from './migrate';

/** A DataSource double that records what happens, in order. */
function aDataSource(migrations: () => Promise<Array<{ name: string }>>) {
  const calls: string[] = [];
  const runner = {
    connect: async () => void calls.push('connect'),
    query: async (sql: string, params: unknown[]) => void calls.push(`${sql} ${JSON.stringify(params)}`),
    release: async () => void calls.push('release'),
  };
  const sut = {
    isInitialized: false,
    initialize: async () => void calls.push('initialize'),
    createQueryRunner: () => runner,
    runMigrations: async (options: unknown) => {
      calls.push(`runMigrations ${JSON.stringify(options)}`);
      return migrations();
    },
    destroy: async () => void calls.push('destroy'),
  };
  return { dataSource: sut as unknown as DataSource, calls };
}

describe('runMigrationsExclusively', () => {
  it('applies the migrations while holding the advisory lock, then lets go of it', async () => {
    const { dataSource, calls } = aDataSource(async () => [{ name: 'CreateUsers1' }]);

    await expect(runMigrationsExclusively(dataSource)).resolves.toEqual(['CreateUsers1']);

    expect(calls).toEqual([
      'initialize',
      'connect',
      `SELECT pg_advisory_lock($1) [${MIGRATION_LOCK_KEY}]`,
      'runMigrations {"transaction":"all"}',
      `SELECT pg_advisory_unlock($1) [${MIGRATION_LOCK_KEY}]`,
      'release',
      'destroy',
    ]);
  });

  it('releases the lock and the connections when a migration fails', async () => {
    const { dataSource, calls } = aDataSource(async () => {
      throw new Error('relation "users" already exists');
    });

    await expect(runMigrationsExclusively(dataSource)).rejects.toThrow('already exists');

    expect(calls.slice(-3)).toEqual([`SELECT pg_advisory_unlock($1) [${MIGRATION_LOCK_KEY}]`, 'release', 'destroy']);
  });
});

describe('migrateAndExit', () => {
  let exit: jest.SpyInstance;
  let printed: string[];

  beforeEach(() => {
    exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    printed = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
    jest.spyOn(console, 'error').mockImplementation((line: string) => void printed.push(line));
  });
  afterEach(() => jest.restoreAllMocks());

  it('says what it applied in one line and exits 0', async () => {
    await migrateAndExit('svc', () => aDataSource(async () => [{ name: 'CreateUsers1' }]).dataSource);

    expect(printed).toEqual(['svc: applied CreateUsers1']);
    expect(exit).toHaveBeenCalledWith(0);
  });

  it('turns a data source that cannot load (a bad setting) into its one line and exit 1, not a stack trace', async () => {
    await migrateAndExit('svc', () => {
      throw new Error('Invalid environment:\n  PORT=abc: PORT must be an integer number');
    });

    expect(printed).toEqual(['svc: migrations failed: Invalid environment:\n  PORT=abc: PORT must be an integer number']);
    expect(exit).toHaveBeenCalledWith(1);
  });
});
