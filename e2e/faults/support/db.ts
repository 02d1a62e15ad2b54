// Straight to the three databases: the end state of a scenario is counted where it is stored.
import { Client, Pool, types } from 'pg';
import { DBS } from './harness';

types.setTypeParser(20, (v) => Number(v)); // count(*) as a number

const pools = new Map<keyof typeof DBS, Pool>();

function pool(db: keyof typeof DBS): Pool {
  let p = pools.get(db);
  if (!p) {
    const { port, database } = DBS[db];
    p = new Pool({ host: 'localhost', port, database, user: 'postgres', password: 'postgres', max: 3, connectionTimeoutMillis: 3000 });
    p.on('error', () => undefined); // a database stopped by a scenario under an idle client
    pools.set(db, p);
  }
  return p;
}

export async function query<T = Record<string, unknown>>(db: keyof typeof DBS, sql: string, params: unknown[] = []): Promise<T[]> {
  const res = await pool(db).query(sql, params);
  return res.rows as T[];
}

export async function count(db: keyof typeof DBS, sql: string, params: unknown[] = []): Promise<number> {
  const [row] = await query(db, sql, params);
  return Number(row ? Object.values(row)[0] : 0);
}

/**
 * Takes a lock on its own connection, in a transaction left open, and holds it until release()
 * (which rolls back and disconnects): what a slow transaction elsewhere does to the service.
 */
export async function holdLock(db: keyof typeof DBS, sql: string, params: unknown[] = []): Promise<{ release(): Promise<void> }> {
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

export async function closeDbs(): Promise<void> {
  await Promise.all([...pools.values()].map((p) => p.end().catch(() => undefined)));
  pools.clear();
}

/** Orders of these users by kind and status (welcome/regular x pending/paid/failed). */
export async function orderStatusesOf(userIds: string[]): Promise<{ kind: string; status: string; n: number }[]> {
  return query('orders', 'SELECT kind, status, count(*)::int AS n FROM orders WHERE user_id = ANY($1::uuid[]) GROUP BY 1, 2 ORDER BY 1, 2', [userIds]);
}

/**
 * Orders whose status disagrees with their payment (paid <-> completed, failed <-> failed), or
 * that have no payment, or more than one. Both databases are read; the join is done here.
 */
export async function paymentMismatches(orderIds: string[]): Promise<string[]> {
  if (orderIds.length === 0) return [];
  const orders = await query<{ id: string; status: string }>('orders', 'SELECT id, status FROM orders WHERE id = ANY($1::uuid[])', [orderIds]);
  const payments = await query<{ order_id: string; status: string }>(
    'payments',
    'SELECT order_id, status FROM payments WHERE order_id = ANY($1::uuid[])',
    [orderIds],
  );
  const byOrder = new Map<string, string[]>();
  for (const p of payments) byOrder.set(p.order_id, [...(byOrder.get(p.order_id) ?? []), p.status]);
  const problems: string[] = [];
  for (const id of orderIds) {
    const order = orders.find((o) => o.id === id);
    const pays = byOrder.get(id) ?? [];
    if (!order) problems.push(`${id}: no order`);
    else if (pays.length !== 1) problems.push(`${id}: ${pays.length} payments`);
    else if ((order.status === 'paid') !== (pays[0] === 'completed') || order.status === 'pending') {
      problems.push(`${id}: order ${order.status}, payment ${pays[0]}`);
    }
  }
  return problems;
}
