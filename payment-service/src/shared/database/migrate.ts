// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import type { DataSource } from 'typeorm';

/**
 * Any constant works as long as every replica of every app uses the same one per database; each
 * app owns its database, so one key for all of them never makes two apps wait on each other.
 */
export const MIGRATION_LOCK_KEY = 7_164_000_001;

/**
 * Applies the pending migrations of `dataSource`, one runner at a time per database.
 *
 * On Kubernetes every new pod runs this before its app starts; a rollout starts several pods at
 * once, and TypeORM takes no lock of its own, so two of them would otherwise apply the same
 * migration concurrently. A session-level advisory lock makes the others wait, then find nothing
 * pending. Returns the names of the migrations this call applied.
 */
export async function runMigrationsExclusively(dataSource: DataSource): Promise<string[]> {
  if (!dataSource.isInitialized) await dataSource.initialize();
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'all' });
      return applied.map((m) => m.name);
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await lock.release();
    await dataSource.destroy();
  }
}

/**
 * The body of each app's `dist/database/migrate.js`: one line of outcome, exit 1 on failure. The
 * data source is loaded here, not imported by the caller: it checks the settings as it loads, and
 * a bad one is then this one line too, not an uncaught stack trace.
 */
export function migrateAndExit(app: string, loadDataSource: () => DataSource): Promise<void> {
  return new Promise<DataSource>((resolve) => resolve(loadDataSource())).then(runMigrationsExclusively).then(
    (applied) => {
      console.log(`${app}: ${applied.length ? `applied ${applied.join(', ')}` : 'no pending migrations'}`);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(`${app}: migrations failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
