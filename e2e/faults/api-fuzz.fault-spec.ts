// Bad input against the running system, driven by the gateway's own OpenAPI document
// (/api/docs-json): broken bodies are refused with 400 and store nothing; random requests of every
// documented operation never get a 5xx and every answer matches the schema documented for its
// status; SQL-injection-shaped strings in every string field, path id and query parameter are
// stored verbatim or refused, never executed. FAULTS_FUZZ_RUNS scales the number of cases.
import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import { Reply, call, createUser, inParallel, unexpected } from './support/api';
import { closeDbs, count } from './support/db';
import { GATEWAY_URL, LOG_DIR, ensureAllRunning } from './support/harness';
import { closeKafka } from './support/kafka';
import { ApiDoc, Hints, Operation, SQL_INJECTION } from './support/openapi';
import { record, secs, until } from './support/report';

jest.setTimeout(600000);

const RUNS = Number(process.env.FAULTS_FUZZ_RUNS ?? 40);
const PG_LOGS = ['postgres-users', 'postgres-orders', 'postgres-payments'].map((n) => path.join(LOG_DIR, `${n}.log`));
const SLOW_MS = 4500; // a pg_sleep(5) that ran would show

interface Tally {
  requests: number;
  statuses: Record<string, number>;
  usersCreated: number;
  usersDeleted: number;
  ordersCreated: number;
  slowest: number;
}

describe('bad input and an OpenAPI-driven fuzz through the gateway', () => {
  let api: ApiDoc;
  let ops: Operation[];
  let pool: string[] = [];
  let victims: string[] = [];
  const problems: string[] = [];
  const tally: Tally = { requests: 0, statuses: {}, usersCreated: 0, usersDeleted: 0, ordersCreated: 0, slowest: 0 };
  let usersBefore = 0;
  let ordersBefore = 0;
  let pgLogFrom: number[] = [];
  const t0 = Date.now();
  const figures: Record<string, unknown> = {};

  beforeAll(async () => {
    await ensureAllRunning();
    const doc = await call('GET', '/api/docs-json');
    expect(doc.status).toBe(200);
    api = new ApiDoc(doc.body);
    ops = api.operations();
    const users = await inParallel([0, 1, 2, 3, 4, 5], 4, (i) => createUser('fuzz-pool', i));
    expect(unexpected(users, 201)).toEqual([]);
    pool = users.slice(0, 4).map((r) => r.body.id);
    victims = users.slice(4).map((r) => r.body.id);
    await until('pool users known to order-service', () => count('orders', 'SELECT count(*) FROM known_users WHERE user_id = ANY($1::uuid[])', [pool]), (n) => n === pool.length, 60000);
    usersBefore = await count('users', 'SELECT count(*) FROM users');
    ordersBefore = await count('orders', "SELECT count(*) FROM orders WHERE kind = 'regular'");
    pgLogFrom = PG_LOGS.map((f) => (fs.existsSync(f) ? fs.statSync(f).size : 0));
  });

  afterAll(async () => {
    await closeKafka();
    await closeDbs();
  });

  /** One request through the gateway, checked against the document and counted. */
  async function send(op: Operation, req: { params?: Record<string, string>; query?: Record<string, string>; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<Reply> {
    let url = op.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(req.params?.[name] ?? ''));
    const query = new URLSearchParams(req.query ?? {}).toString();
    if (query) url += `?${query}`;
    // Strings go out as raw text through call(): a JSON string body must be encoded here.
    const payload = req.raw ?? (req.body === undefined ? undefined : JSON.stringify(req.body));
    const headers = payload === undefined ? req.headers : { 'content-type': 'application/json', ...req.headers };
    const r = await call(op.method, url, payload, { headers, timeoutMs: 20000 });
    tally.requests++;
    tally.statuses[r.status || r.error || '?'] = (tally.statuses[r.status || r.error || '?'] ?? 0) + 1;
    tally.slowest = Math.max(tally.slowest, r.ms);
    const what = `${op.method} ${url.slice(0, 120)} ${req.raw ? req.raw.slice(0, 80) : JSON.stringify(req.body)?.slice(0, 160) ?? ''}`;
    if (r.status === 0 || r.status >= 500) problems.push(`${r.status || r.error}: ${what}`);
    else problems.push(...api.checkResponse(op, r.status, r.body).map((i) => `${i} <- ${what}`));
    if (r.status === 201 && (op.path === '/api/users' || op.path === '/api/auth/register')) tally.usersCreated++;
    if (r.status === 204 && op.method === 'DELETE') tally.usersDeleted++;
    if (r.status === 201 && op.path === '/api/orders') tally.ordersCreated++;
    return r;
  }

  const op = (method: string, p: string) => ops.find((o) => o.method === method && o.path === p)!;
  const bodyHints = (): Hints => ({
    email: fc.oneof({ weight: 4, arbitrary: fc.uuid().map((u) => `fuzz-${u.slice(0, 13)}@example.com`) }, { weight: 1, arbitrary: fc.constantFrom('fuzz-pool-0@example.com') }),
    password: fc.constantFrom('SecurePass123!', 'An0ther!Pass'),
    userId: fc.oneof(fc.constantFrom(...pool), fc.uuid({ version: 4 })),
  });
  // Path ids are never empty or dot segments: the URL would then name another route (/api/users/.. is /api).
  const hostileText = fc
    .oneof(
      fc.constantFrom(...SQL_INJECTION, 'NaN', '-0', 'Infinity', '../../etc/passwd', '%00', ' ', '\u0000', 'a/b'),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
      fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 40 }),
    )
    .filter((v) => v.trim() !== '' && !/^\.{1,2}$/.test(v));

  it('every body of the document: broken input gets a 400 naming what is wrong, and nothing is stored', async () => {
    const withBody = ops.filter((o) => o.body);
    expect(withBody.map((o) => `${o.method} ${o.path}`).sort()).toEqual(['POST /api/auth/login', 'POST /api/auth/refresh', 'POST /api/auth/register', 'POST /api/orders', 'POST /api/users', 'PUT /api/users/{id}']);
    let cases = 0;
    for (const o of withBody) {
      await fc.assert(
        fc.asyncProperty(api.broken(o.body!, bodyHints()), fc.constantFrom(...pool), async ({ body, how }, id) => {
          cases++;
          const r = await send(o, { body, params: { id } });
          if (r.status !== 400) throw new Error(`${o.method} ${o.path} with ${how}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
          if (!(Array.isArray(r.body.message) ? r.body.message.length > 0 : r.body.message)) throw new Error(`no message for ${how}`);
        }),
        { numRuns: RUNS * 3, endOnFailure: true },
      );
    }
    // Bodies that are not JSON objects at all, too deep, too big, or not JSON.
    const create = op('POST', '/api/users');
    const valid = { email: `fuzz-raw-${Date.now()}@example.com`, name: 'Raw', password: 'SecurePass123!' };
    const raws: [string, string, number, Record<string, string>?][] = [
      ['malformed JSON', '{"email": "x@example.com", "name": ', 400],
      ['a bare string', '"hello"', 400],
      ['a bare number', '-0', 400],
      ['null', 'null', 400],
      ['NaN', '{"email": NaN}', 400],
      ['nested 40 deep', JSON.stringify({ ...valid, extra: JSON.parse('['.repeat(40) + ']'.repeat(40)) }), 400],
      ['nested 10,000 deep', JSON.stringify(valid).replace('}', `,"x":${'['.repeat(10000)}${']'.repeat(10000)}}`), 400],
      ['objects nested 10,000 deep', JSON.stringify(valid).replace('}', `,"x":${'{"a":'.repeat(10000)}1${'}'.repeat(10000)}}`), 400],
      ['U+0000 in a string', JSON.stringify({ ...valid, name: 'a\u0000b' }), 400],
      ['an unpaired surrogate', JSON.stringify({ ...valid, name: '😀'.slice(0, 1) }), 400],
      ['over 1 MB', JSON.stringify({ ...valid, name: 'x'.repeat(1024 * 1024) }), 413],
      ['text/plain', JSON.stringify(valid), 415, { 'content-type': 'text/plain' }],
    ];
    for (const [how, raw, expected, headers] of raws) {
      cases++;
      const r = await send(create, { raw, headers: { 'content-type': 'application/json', ...headers } });
      expect({ how, status: r.status }).toEqual({ how, status: expected });
    }
    // Prototype-pollution keys are dropped (Nest strips them) or refused, never merged into anything.
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      cases++;
      const raw = JSON.stringify({ ...valid, email: `fuzz-proto-${key.replace(/_/g, '')}-${Date.now()}@example.com` }).replace('{', `{"${key}":{"role":"admin","isAdmin":true},`);
      const r = await send(create, { raw, headers: { 'content-type': 'application/json' } });
      expect([201, 400]).toContain(r.status);
      if (r.status === 201) expect(r.body.role).toBe('user');
    }
    expect(problems).toEqual([]);
    // Nothing stored by any of it (the few valid bodies among the raw ones aside).
    expect(await count('users', 'SELECT count(*) FROM users')).toBe(usersBefore + tally.usersCreated - tally.usersDeleted);
    expect(await count('orders', "SELECT count(*) FROM orders WHERE kind = 'regular'")).toBe(ordersBefore + tally.ordersCreated);
    figures.brokenBodies = cases;
  });

  it('random requests of every documented operation: no 5xx, and each answer matches the schema of its status', async () => {
    const before = tally.requests;
    for (const o of ops) {
      // DELETE gets its own users: the pool must live on for orders to be placed.
      const ids = o.method === 'DELETE' ? victims : pool;
      const params = Object.fromEntries(o.pathParams.map((p) => [p.name, fc.oneof(fc.constantFrom(...ids), fc.uuid({ version: 4 }), hostileText)]));
      const query = Object.fromEntries(
        o.queryParams.map((p) => [p.name, fc.option(fc.oneof(api.valid(p.schema).map(String), fc.constantFrom(...pool), hostileText), { nil: undefined })]),
      );
      const body = o.body ? fc.oneof(api.valid(o.body, bodyHints()), api.broken(o.body, bodyHints()).map((b) => b.body)) : fc.constant(undefined);
      const requestId = fc.option(fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 200 }), { nil: undefined });
      await fc.assert(
        fc.asyncProperty(fc.record(params), fc.record(query), body, requestId, async (p, q, b, rid) => {
          const definedQuery = Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) as Record<string, string>;
          await send(o, { params: p as Record<string, string>, query: definedQuery, body: b, headers: rid ? { 'x-request-id': rid } : {} });
        }),
        { numRuns: RUNS },
      );
    }
    expect(problems).toEqual([]);
    figures.randomRequests = tally.requests - before;
  });

  it('SQL-injection-shaped strings in every string field, path id and query parameter: stored verbatim or refused, never executed', async () => {
    let stored = 0;
    let refused = 0;
    const slowest: number[] = [];
    const expectRefused = async (o: Operation, req: Parameters<typeof send>[1]) => {
      const r = await send(o, req);
      slowest.push(r.ms);
      expect([400, 401, 404]).toContain(r.status);
      refused++;
    };
    for (const [i, sqli] of SQL_INJECTION.entries()) {
      // Free text: stored exactly as sent, and read back exactly.
      const password = `Aa1!${sqli}`.slice(0, 128);
      const created = await send(op('POST', '/api/users'), { body: { email: `fuzz-sqli-${i}-${Date.now()}@example.com`, name: sqli, password } });
      expect(created.status).toBe(201);
      const read = await send(op('GET', '/api/users/{id}'), { params: { id: created.body.id } });
      expect(read.body.name).toBe(sqli);
      const login = await send(op('POST', '/api/auth/login'), { body: { email: created.body.email, password } });
      expect(login.status).toBe(200); // the password went through verbatim too
      const renamed = await send(op('PUT', '/api/users/{id}'), { params: { id: created.body.id }, body: { name: `${sqli} (2)` } });
      expect(renamed.status).toBe(200);
      expect((await send(op('GET', '/api/users/{id}'), { params: { id: created.body.id } })).body.name).toBe(`${sqli} (2)`);
      stored += 2;
      // An email may carry quotes and equals signs: stored (lower-cased, as documented) or refused.
      const quoted = await send(op('POST', '/api/users'), { body: { email: `o'r'1'='1-${i}-${Date.now()}@example.com`, name: 'Quote', password: 'SecurePass123!' } });
      expect([201, 400]).toContain(quoted.status);
      if (quoted.status === 201) stored++;
      else refused++;
      // Identifiers, product ids, numbers, paths and queries: refused.
      await expectRefused(op('POST', '/api/orders'), { body: { userId: pool[0], items: [{ productId: sqli, quantity: 1, price: 1 }] } });
      await expectRefused(op('POST', '/api/orders'), { body: { userId: sqli, items: [{ productId: 'product-1', quantity: 1, price: 1 }] } });
      await expectRefused(op('POST', '/api/orders'), { body: { userId: pool[0], items: [{ productId: 'product-1', quantity: sqli, price: sqli }] } });
      for (const [m, p] of [['GET', '/api/users/{id}'], ['PUT', '/api/users/{id}'], ['DELETE', '/api/users/{id}'], ['GET', '/api/orders/{id}'], ['GET', '/api/payments/{id}']]) {
        await expectRefused(op(m, p), { params: { id: sqli }, body: m === 'PUT' ? { name: 'x' } : undefined });
      }
      for (const [p, q] of [['/api/orders', 'userId'], ['/api/payments', 'orderId'], ['/api/users', 'limit'], ['/api/users', 'offset'], ['/api/orders', 'limit']]) {
        await expectRefused(op('GET', p), { query: { [q]: sqli } });
      }
      await expectRefused(op('POST', '/api/auth/login'), { body: { email: sqli, password: sqli } });
    }
    // Nothing ran: every table is there, nothing was emptied, no statement failed to parse.
    for (const [db, table] of [['users', 'users'], ['orders', 'orders'], ['orders', 'processed_events'], ['payments', 'payments']] as const) {
      expect(await count(db, 'SELECT count(*) FROM information_schema.tables WHERE table_name = $1', [table])).toBe(1);
    }
    expect(await count('payments', 'SELECT count(*) FROM payments')).toBeGreaterThan(0);
    expect(Math.max(...slowest)).toBeLessThan(SLOW_MS);
    expect(problems).toEqual([]);
    figures.sqlInjection = { payloads: SQL_INJECTION.length, storedVerbatim: stored, refused, slowestMs: Math.max(...slowest) };
  });

  it('path ids no client library would write (bad escapes, 3,000 characters): the 400 of any bad id, in the error shape, with the request id', async () => {
    const odd = ['%zz', '%C0%AF', '%E0%A4%A', '%', 'a'.repeat(3000)];
    // A session's routes want a bearer token whatever AUTH_ENABLED says: with one, the id is what is wrong.
    const registered = await send(op('POST', '/api/auth/register'), { body: { email: `fuzz-odd-${Date.now()}@example.com`, name: 'Odd Ids', password: 'SecurePass123!' } });
    expect(registered.status).toBe(201);
    const headers = { authorization: `Bearer ${registered.body.accessToken}` };
    const answers: string[] = [];
    for (const o of ops.filter((x) => x.pathParams.length > 0)) {
      for (const raw of odd) {
        const url = o.path.replace(/\{\w+\}/g, raw);
        const r = await call(o.method, url, o.body ? {} : undefined, { headers, timeoutMs: 20000 });
        const requestId = r.headers.get('x-request-id');
        const shaped = r.status === 400 && requestId !== null && r.body?.statusCode === 400 && r.body?.error === 'Bad Request' && r.body?.requestId === requestId;
        if (!shaped) answers.push(`${o.method} ${url.slice(0, 60)}: ${r.status || r.error} ${JSON.stringify(r.body)?.slice(0, 160)}`);
      }
    }
    expect(answers).toEqual([]);
  });

  it('the databases saw no failed statement and exactly the rows the 2xx answers account for', async () => {
    const errors = PG_LOGS.flatMap((f, i) => {
      const text = fs.existsSync(f) ? fs.readFileSync(f).subarray(pgLogFrom[i]).toString('utf8') : '';
      return text.split('\n').filter((l) => /\bERROR:/.test(l) && !/duplicate key value violates unique constraint/.test(l)).map((l) => `${path.basename(f)}: ${l}`);
    });
    expect(errors).toEqual([]);
    expect(await count('users', 'SELECT count(*) FROM users')).toBe(usersBefore + tally.usersCreated - tally.usersDeleted);
    expect(await count('orders', "SELECT count(*) FROM orders WHERE kind = 'regular'")).toBe(ordersBefore + tally.ordersCreated);
    const statuses = Object.entries(tally.statuses)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([s, n]) => `${s}x${n}`)
      .join(' ');
    record(
      'api-fuzz',
      `${tally.requests} requests from the OpenAPI document (${ops.length} operations) in ${secs(Date.now() - t0)}: 0 5xx, 0 answers off their documented schema ` +
        `(statuses ${statuses}); ${figures.brokenBodies} broken bodies all 400/413/415 with nothing stored; SQL injection: ` +
        `${JSON.stringify(figures.sqlInjection)}; rows match the 2xx answers (users +${tally.usersCreated} -${tally.usersDeleted}, orders +${tally.ordersCreated}); 0 failed SQL statements`,
      { ...tally, operations: ops.length, ...figures, ms: Date.now() - t0, gateway: GATEWAY_URL },
    );
  });
});
