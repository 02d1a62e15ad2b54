import type { Pool, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

export interface SentStatement {
  /** The pooled connection that sent it: one unit of work at a time uses a connection. */
  readonly connection: PoolClient;
  readonly sql: string;
  /** Set for a prepared statement: PostgreSQL parses and plans it once per connection. */
  readonly name?: string;
}

/** Every statement the app's pool sends from connections checked out until `stop`. */
export function recordStatements(dataSource: DataSource): { statements: SentStatement[]; stop(): void } {
  const pool = (dataSource.driver as PostgresDriver).master as Pool;
  const statements: SentStatement[] = [];
  const originals = new Map<PoolClient, PoolClient['query']>();
  const onAcquire = (connection: PoolClient) => {
    if (originals.has(connection)) return;
    const query = connection.query;
    originals.set(connection, query);
    connection.query = ((...args: Parameters<PoolClient['query']>) => {
      const [sql] = args as unknown as [string | { text: string; name?: string }];
      statements.push(typeof sql === 'string' ? { connection, sql } : { connection, sql: sql.text, name: sql.name });
      return (query as (...a: unknown[]) => unknown).apply(connection, args);
    }) as PoolClient['query'];
  };
  pool.on('acquire', onAcquire);
  return {
    statements,
    stop() {
      pool.off('acquire', onAcquire);
      for (const [connection, query] of originals) connection.query = query;
    },
  };
}

/**
 * The unit of work the first statement matching `pattern` ran in: from its connection's START
 * TRANSACTION to the COMMIT or ROLLBACK after it, or that statement alone when no transaction was
 * open around it (what else the pooled connection ran before or after is another unit's).
 */
export function unitOf(statements: readonly SentStatement[], pattern: RegExp): string[] {
  const hit = statements.find((s) => pattern.test(s.sql));
  if (!hit) return [];
  const sequence = statements.filter((s) => s.connection === hit.connection).map((s) => s.sql);
  const at = statements.filter((s) => s.connection === hit.connection).indexOf(hit);
  let start = at;
  while (start > 0 && !ENDS.test(sequence[start - 1]) && !BEGINS.test(sequence[start])) start--;
  if (!BEGINS.test(sequence[start])) return [hit.sql];
  let end = at;
  while (end < sequence.length - 1 && !ENDS.test(sequence[end])) end++;
  return sequence.slice(start, end + 1);
}

const BEGINS = /^\s*(START TRANSACTION|BEGIN)\b/i;
const ENDS = /^\s*(COMMIT|ROLLBACK)\b/i;
