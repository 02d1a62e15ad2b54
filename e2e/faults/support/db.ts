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
