import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { IdempotencySweeper } from '../../src/shared/idempotency/idempotency-sweeper';
import { eventually, startTestApp, truncateAll, watchTopic } from './test-app';

/** POST /users with an Idempotency-Key, on the real database: the key row commits with the user or not at all. */
describe('user-service: idempotency keys on real PostgreSQL', () => {
  let app: INestApplication;
  let db: DataSource;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    ({ app, db } = await startTestApp());
    http = request(app.getHttpServer());
  });
  afterAll(async () => app?.close());
  beforeEach(async () => {
    await truncateAll(db);
    await db.query('TRUNCATE idempotency_keys');
  });

  const ann = { email: 'ann@example.com', name: 'Ann', password: 'SecurePass123!' };
  const count = async (sql: string, params: unknown[] = []): Promise<number> => (await db.query(sql, params))[0].n as number;
  const users = () => count('SELECT count(*)::int AS n FROM users');
  const keys = () => count('SELECT count(*)::int AS n FROM idempotency_keys');

  it('processes a key once: the same key and body get the same status and body back, marked as a replay', async () => {
    const created = await watchTopic('user.created');
    try {
      const first = await http.post('/users').set('Idempotency-Key', 'signup-1').send(ann).expect(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      // Same body, keys in another order: the same request.
      const again = await http
        .post('/users')
        .set('Idempotency-Key', 'signup-1')
        .send({ password: ann.password, name: ann.name, email: ann.email })
        .expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.text).toBe(first.text);
      expect(await users()).toBe(1);
      const [row] = await db.query('SELECT scope, idempotency_key, response_status, response_body FROM idempotency_keys');
      expect(row).toEqual({ scope: 'anonymous', idempotency_key: 'signup-1', response_status: 201, response_body: first.text });
      const events = await eventually(() => created.messages.filter((m) => m.key === first.body.id), (m) => m.length > 0);
      await new Promise((r) => setTimeout(r, 500));
      expect(events).toHaveLength(1);
    } finally {
      await created.stop();
    }
  });

  it('answers the same key with another body 422, naming the key, and changes nothing', async () => {
    const first = await http.post('/users').set('Idempotency-Key', 'k-422').send(ann).expect(201);
    const res = await http.post('/users').set('Idempotency-Key', 'k-422').send({ ...ann, email: 'other@example.com' }).expect(422);
    expect(res.body).toMatchObject({ statusCode: 422, error: 'Unprocessable Entity', code: 'IDEMPOTENCY.KEY_REUSED' });
    expect(res.body.message).toMatch(/Idempotency-Key "k-422" was already used with a different request body/);
    expect(await db.query('SELECT id, email FROM users')).toEqual([{ id: first.body.id, email: 'ann@example.com' }]);
    expect((await db.query('SELECT response_body FROM idempotency_keys'))[0].response_body).toBe(first.text);
  });

  it('lets concurrent requests with one key create one user: the others get 409 (in flight) or the replay', async () => {
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => http.post('/users').set('Idempotency-Key', 'race-1').send(ann)),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    const fresh = answers.filter((a) => a.status === 201 && a.headers['idempotent-replayed'] === undefined);
    expect(fresh).toHaveLength(1);
    for (const a of answers.filter((x) => x.status === 409)) expect(a.body.code).toBe('IDEMPOTENCY.IN_FLIGHT');
    for (const a of answers.filter((x) => x.status === 201)) expect(a.body).toEqual(fresh[0].body);
    expect(await users()).toBe(1);
    expect(await keys()).toBe(1);
  });

  it('scopes keys per caller: the same key from another user (or from no user) is another request', async () => {
    const alice = { 'X-User-Id': '11111111-1111-4111-8111-111111111111', 'X-User-Roles': 'admin' };
    const bob = { 'X-User-Id': '22222222-2222-4222-8222-222222222222', 'X-User-Roles': 'admin' };
    await http.post('/users').set(alice).set('Idempotency-Key', 'shared-key').send(ann).expect(201);
    // Bob's key is his own: his body is processed (not compared with Alice's, not replayed).
    const bobs = await http.post('/users').set(bob).set('Idempotency-Key', 'shared-key').send({ ...ann, email: 'bob@example.com' }).expect(201);
    expect(bobs.headers['idempotent-replayed']).toBeUndefined();
    // Alice's very request from no user: processed, so refused as the email is taken (no replay of Alice's answer).
    await http.post('/users').set('Idempotency-Key', 'shared-key').send(ann).expect(409);
    const replay = await http.post('/users').set(bob).set('Idempotency-Key', 'shared-key').send({ ...ann, email: 'bob@example.com' }).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(await users()).toBe(2);
    expect((await db.query('SELECT scope FROM idempotency_keys ORDER BY scope')).map((r: { scope: string }) => r.scope)).toEqual([
      'user:11111111-1111-4111-8111-111111111111',
      'user:22222222-2222-4222-8222-222222222222',
    ]);
  });

  it('keeps no key for a refused request: the retry runs again', async () => {
    await http.post('/users').send(ann).expect(201);
    await http.post('/users').set('Idempotency-Key', 'taken').send(ann).expect(409);
    await http.post('/users').set('Idempotency-Key', 'invalid-body').send({ ...ann, email: 'nope' }).expect(400);
    expect(await keys()).toBe(0);
    await db.query('DELETE FROM users');
    const retried = await http.post('/users').set('Idempotency-Key', 'taken').send(ann).expect(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect(await keys()).toBe(1);
  });

  it('refuses a malformed key with 400 naming it, before anything is written', async () => {
    const res = await http.post('/users').set('Idempotency-Key', 'x'.repeat(256)).send(ann).expect(400);
    expect(res.body.message).toBe('Idempotency-Key must be at most 255 characters (got 256)');
    expect(await users()).toBe(0);
  });

  it('never stores a user without its key: a failing key insert rolls the user and its event back', async () => {
    await db.query(`CREATE OR REPLACE FUNCTION refuse_key() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'keys refused by the test' USING ERRCODE = '57P03'; END $$`);
    await db.query('CREATE TRIGGER refuse_key BEFORE INSERT ON idempotency_keys FOR EACH ROW EXECUTE FUNCTION refuse_key()');
    try {
      await http.post('/users').set('Idempotency-Key', 'doomed').send(ann).expect(503);
      expect(await users()).toBe(0);
      expect(await count("SELECT count(*)::int AS n FROM outbox_messages WHERE payload->>'type' = 'UserCreated'")).toBe(0);
    } finally {
      await db.query('DROP TRIGGER refuse_key ON idempotency_keys');
      await db.query('DROP FUNCTION refuse_key()');
    }
    await http.post('/users').set('Idempotency-Key', 'doomed').send(ann).expect(201);
  });

  it('deletes keys past their retention (24h by default) and keeps younger ones', async () => {
    await http.post('/users').set('Idempotency-Key', 'old').send(ann).expect(201);
    await http.post('/users').set('Idempotency-Key', 'young').send({ ...ann, email: 'young@example.com' }).expect(201);
    await db.query(`UPDATE idempotency_keys SET created_at = now() - interval '24 hours 1 minute' WHERE idempotency_key = 'old'`);
    await db.query(`UPDATE idempotency_keys SET created_at = now() - interval '23 hours 59 minutes' WHERE idempotency_key = 'young'`);
    expect(await app.get(IdempotencySweeper).sweep()).toBe(1);
    expect((await db.query('SELECT idempotency_key FROM idempotency_keys')).map((r: { idempotency_key: string }) => r.idempotency_key)).toEqual(['young']);
    // An expired key is free again: its request runs (here refused: the email is taken).
    await http.post('/users').set('Idempotency-Key', 'old').send(ann).expect(409);
    const young = await http.post('/users').set('Idempotency-Key', 'young').send({ ...ann, email: 'young@example.com' }).expect(201);
    expect(young.headers['idempotent-replayed']).toBe('true');
  });
});
