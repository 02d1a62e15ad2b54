// The three databases of a running system, read directly: a scenario's end state is counted where
// it is stored. Shared by the fault suite (one node) and the cluster suite (same tables).
import { Pool, types } from 'pg';

types.setTypeParser(20, (v) => Number(v)); // count(*) as a number

export type DbName = 'users' | 'orders' | 'payments';
export type DbSpecs = Record<DbName, { port: number; database: string }>;

export class SystemDatabases {
  private readonly pools = new Map<DbName, Pool>();

  constructor(private readonly specs: DbSpecs) {}

  private pool(db: DbName): Pool {
    let p = this.pools.get(db);
    if (!p) {
      const { port, database } = this.specs[db];
      p = new Pool({ host: 'localhost', port, database, user: 'postgres', password: 'postgres', max: 3, connectionTimeoutMillis: 3000 });
      p.on('error', () => undefined); // a database stopped by a scenario under an idle client
      this.pools.set(db, p);
    }
    return p;
  }

  async query<T = Record<string, unknown>>(db: DbName, sql: string, params: unknown[] = []): Promise<T[]> {
    const res = await this.pool(db).query(sql, params);
    return res.rows as T[];
  }

  async count(db: DbName, sql: string, params: unknown[] = []): Promise<number> {
    const [row] = await this.query(db, sql, params);
    return Number(row ? Object.values(row)[0] : 0);
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.end().catch(() => undefined)));
    this.pools.clear();
  }

  /** Orders of these users by kind and status (welcome/regular x pending/paid/failed). */
  orderStatusesOf(userIds: string[]): Promise<{ kind: string; status: string; n: number }[]> {
    return this.query('orders', 'SELECT kind, status, count(*)::int AS n FROM orders WHERE user_id = ANY($1::uuid[]) GROUP BY 1, 2 ORDER BY 1, 2', [userIds]);
  }

  /**
   * Orders whose status disagrees with their payment (paid <-> completed, failed <-> failed), or
   * that have no payment, or more than one. Both databases are read; the join is done here.
   */
  async paymentMismatches(orderIds: string[]): Promise<string[]> {
    if (orderIds.length === 0) return [];
    const orders = await this.query<{ id: string; status: string }>('orders', 'SELECT id, status FROM orders WHERE id = ANY($1::uuid[])', [orderIds]);
    const payments = await this.query<{ order_id: string; status: string }>(
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
}
