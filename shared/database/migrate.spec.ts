import type { DataSource } from 'typeorm';
import { MIGRATION_LOCK_KEY, runMigrationsExclusively } from './migrate';

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
