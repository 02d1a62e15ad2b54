import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { eventually, startTestApp, truncateAll, watchTopic } from './test-app';

describe('user-service on real PostgreSQL and Kafka', () => {
  let app: INestApplication;
  let db: DataSource;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    ({ app, db } = await startTestApp());
    http = request(app.getHttpServer());
  });
  afterAll(async () => app?.close());
  beforeEach(async () => truncateAll(db));

  const john = { email: 'John@Example.com', name: 'John Doe', password: 'SecurePass123!' };

  it('stores the user with a hashed password and publishes user.created with key, envelope and request id', async () => {
    const created = await watchTopic('user.created');
    try {
      const res = await http.post('/users').set('X-Request-Id', 'it-create-1').send(john).expect(201);
      expect(res.headers['x-request-id']).toBe('it-create-1');
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        email: 'john@example.com',
        name: 'John Doe',
        role: 'user',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const [row] = await db.query('SELECT password_hash FROM users WHERE id = $1', [res.body.id]);
      expect(row.password_hash).toMatch(/^\$argon2id\$/);

      const messages = await eventually(() => created.messages.filter((m) => m.key === res.body.id), (m) => m.length > 0);
      expect(messages).toHaveLength(1);
      expect(messages[0].value).toMatchObject({
        type: 'UserCreated',
        version: 1,
        requestId: 'it-create-1',
        data: { userId: res.body.id, email: 'john@example.com', name: 'John Doe', role: 'user' },
      });
      expect(messages[0].headers['x-request-id']).toBe('it-create-1');
      expect(JSON.stringify(messages[0].value)).not.toContain('SecurePass');
      // The relay deletes a batch in the transaction it commits after the broker's ack, so the row
      // may outlive the message's arrival by a moment; it must go.
      const left = await eventually(async () => (await db.query('SELECT count(*)::int AS n FROM outbox_messages'))[0].n, (n) => n === 0);
      expect(left).toBe(0);
    } finally {
      await created.stop();
    }
  });

  it('refuses a duplicate email (any casing) with 409 and changes nothing', async () => {
    const first = await http.post('/users').send(john).expect(201);
    const res = await http.post('/users').send({ ...john, email: 'JOHN@example.COM', name: 'Impostor' }).expect(409);
    expect(res.body).toMatchObject({ statusCode: 409, error: 'Conflict', requestId: expect.any(String) });
    const rows = await db.query('SELECT id, name FROM users');
    expect(rows).toEqual([{ id: first.body.id, name: 'John Doe' }]);
  });

  it('writes no event when the user is refused', async () => {
    await http.post('/users').send(john).expect(201);
    await http.post('/users').send(john).expect(409);
    await http.post('/users').send({ ...john, email: 'nope' }).expect(400);
    // Only the first user's event was ever written (and the relay may already have sent it).
    const [{ n }] = await db.query(
      "SELECT count(*)::int AS n FROM outbox_messages WHERE payload->>'type' = 'UserCreated'",
    );
    expect(n).toBeLessThanOrEqual(1);
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    await http.get('/users/3f1e2d4c-5b6a-4789-8abc-def012345678').expect(404);
    const res = await http.get('/users/not-a-uuid').expect(400);
    expect(res.body.message).toBe('id must be a UUID');
  });

  it('updates name, email and password; a taken email is 409 and leaves the user unchanged', async () => {
    const a = (await http.post('/users').send(john).expect(201)).body;
    await http.post('/users').send({ ...john, email: 'jane@example.com' }).expect(201);
    const updated = await http.put(`/users/${a.id}`).send({ name: 'Johnny', password: 'An0ther!Pass' }).expect(200);
    expect(updated.body.name).toBe('Johnny');
    await http.put(`/users/${a.id}`).send({ email: 'jane@example.com' }).expect(409);
    expect((await http.get(`/users/${a.id}`).expect(200)).body).toMatchObject({ email: 'john@example.com', name: 'Johnny' });
    await http.put(`/users/${a.id}`).send({ role: 'admin' }).expect(400);
  });

  it('deletes a user and publishes user.deleted', async () => {
    const deleted = await watchTopic('user.deleted');
    try {
      const a = (await http.post('/users').send(john).expect(201)).body;
      await http.delete(`/users/${a.id}`).expect(204);
      await http.get(`/users/${a.id}`).expect(404);
      await http.delete(`/users/${a.id}`).expect(404);
      const messages = await eventually(() => deleted.messages.filter((m) => m.key === a.id), (m) => m.length > 0);
      expect(messages.map((m) => m.value.type)).toEqual(['UserDeleted']);
    } finally {
      await deleted.stop();
    }
  });

  it('pages the list and reports the total', async () => {
    for (const n of [1, 2, 3]) await http.post('/users').send({ ...john, email: `u${n}@example.com` }).expect(201);
    const page = await http.get('/users?limit=2&offset=1').expect(200);
    expect(page.headers['x-total-count']).toBe('3');
    expect(page.body.map((u: { email: string }) => u.email)).toEqual(['u2@example.com', 'u3@example.com']);
    await http.get('/users?limit=1000').expect(400);
    expect((await http.get('/users').expect(200)).body).toHaveLength(3);
  });

  it('counts the users it created in /metrics, and not the ones it refused', async () => {
    const count = async () => Number(/^users_created_total (\d+)$/m.exec((await http.get('/metrics').expect(200)).text)?.[1]);
    const before = await count();
    await http.post('/users').send(john).expect(201);
    await http.post('/users').send(john).expect(409);
    await http.post('/users').send({ ...john, email: 'other@example.com' }).expect(201);
    expect(await count()).toBe(before + 2);
  });

  it('reports ready with database and kafka up', async () => {
    const res = await http.get('/health/ready').expect(200);
    expect(res.body.details).toEqual({ database: { status: 'up' }, kafka: { status: 'up' } });
  });
});
