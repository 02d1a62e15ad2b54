// Straight to the three databases of the faults stack (see ../../support/system-db.ts).
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
