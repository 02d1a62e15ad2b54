// PostgreSQL round trips of the apps, counted exactly: pg_stat_statements (loaded by the bench
// profile's servers, see infra/local/profiles.mjs) counts every statement a client executes,
// BEGIN and COMMIT included (track_utility, on by default), one call per statement, which with
// node-postgres is one round trip (parse, bind and execute go in one write). The apps connect as
// `postgres`; the bench reads through a role of its own, `bench`, so its polling and these reads
// are not counted: the delta of the `postgres` role's calls over a run is the apps' statements.
import pg from 'pg';

export const BENCH_ROLE = 'bench';
const APP_ROLE = 'postgres';

/**
 * Makes each database ready for counting: the extension, and the bench's own role.
 * @param {{ name: string, port: number, database: string }[]} dbs
 * @returns {Promise<{ ok: true } | { ok: false, why: string }>}
 */
export async function prepareStatementStats(dbs) {
  for (const db of dbs) {
    const client = new pg.Client({ host: 'localhost', port: db.port, user: APP_ROLE, password: 'postgres', database: db.database });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT current_setting('shared_preload_libraries') AS libs`);
      if (!String(rows[0].libs).split(',').map((x) => x.trim()).includes('pg_stat_statements')) {
        return { ok: false, why: `PostgreSQL on ${db.port} runs without pg_stat_statements (a server started before the bench profile loaded it: \`npm run infra:stop\`, then run the bench again)` };
      }
      await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await client.query(
        `DO $$ BEGIN
           IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${BENCH_ROLE}') THEN
             CREATE ROLE ${BENCH_ROLE} LOGIN SUPERUSER PASSWORD '${BENCH_ROLE}';
           END IF;
         END $$`,
      );
    } finally {
      await client.end();
    }
  }
  return { ok: true };
}

/**
 * Statements the apps executed so far, per database (a counter: take the difference of two).
 * @param {Record<string, import('pg').Pool>} pools name → pool connected as the bench role
 * @returns {Promise<Record<string, number>>}
 */
export async function statementCounts(pools) {
  const out = {};
  for (const [name, pool] of Object.entries(pools)) {
    const { rows } = await pool.query(
      `SELECT coalesce(sum(s.calls), 0)::bigint AS n FROM pg_stat_statements s
         WHERE s.userid = (SELECT oid FROM pg_roles WHERE rolname = $1) AND s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [APP_ROLE],
    );
    out[name] = Number(rows[0].n);
  }
  return out;
}

/** The difference of two statementCounts, with the total. */
export function statementDelta(before, after) {
  const byDb = Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - (before[k] ?? 0)]));
  return { statements: Object.values(byDb).reduce((n, v) => n + v, 0), byDb };
}
