// Straight to the three databases of the faults stack (see ../../support/system-db.ts).
import { Client } from 'pg';
import { DbName, SystemDatabases } from '../../support/system-db';
import { DBS } from './harness';

const dbs = new SystemDatabases(DBS);

export const query = <T = Record<string, unknown>>(db: DbName, sql: string, params: unknown[] = []) => dbs.query<T>(db, sql, params);
export const count = (db: DbName, sql: string, params: unknown[] = []) => dbs.count(db, sql, params);
export const closeDbs = () => dbs.close();
/** Orders of these users by kind and status (welcome/regular x pending/paid/failed). */
export const orderStatusesOf = (userIds: string[]) => dbs.orderStatusesOf(userIds);
/** Orders without exactly one payment that agrees with their final status. */
export const paymentMismatches = (orderIds: string[]) => dbs.paymentMismatches(orderIds);

/**
 * Takes a lock on its own connection, in a transaction left open, and holds it until release()
 * (which rolls back and disconnects): what a slow transaction elsewhere does to the service.
 */
export async function holdLock(db: DbName, sql: string, params: unknown[] = []): Promise<{ release(): Promise<void> }> {
  const { port, database } = DBS[db];
  const client = new Client({ host: 'localhost', port, database, user: 'postgres', password: 'postgres', connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  await client.connect();
  await client.query('BEGIN');
  await client.query(sql, params);
  let released: Promise<void> | undefined;
  return {
    release: () =>
      (released ??= client
        .query('ROLLBACK')
        .then(() => undefined, () => undefined)
        .finally(() => client.end().catch(() => undefined))),
  };
}

/**
 * Makes the inserts into `table` that match `when` (a trigger condition on NEW) wait while the test
 * holds `lockKey` with holdLock: a trigger that takes the key's shared advisory lock. Every other
 * insert passes, and so do these when the key is free. remove() drops the trigger and its function.
 */
export async function holdInserts(
  db: DbName,
  spec: { name: string; table: string; when: string; lockKey: number },
): Promise<{ remove(): Promise<void> }> {
  const { name, table, when, lockKey } = spec;
  await query(
    db,
    `CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN PERFORM pg_advisory_xact_lock_shared(${lockKey}); RETURN NEW; END $$`,
  );
  await query(db, `DROP TRIGGER IF EXISTS ${name} ON ${table}`);
  await query(db, `CREATE TRIGGER ${name} BEFORE INSERT ON ${table} FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION ${name}()`);
  return {
    remove: async () => {
      await query(db, `DROP TRIGGER IF EXISTS ${name} ON ${table}`).catch(() => undefined);
      await query(db, `DROP FUNCTION IF EXISTS ${name}()`).catch(() => undefined);
    },
  };
}
