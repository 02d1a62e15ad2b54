import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { digestOf } from '../../src/sessions/refresh-token';
import { startTestApp, truncateAll } from './test-app';

/** Sessions and refresh tokens on real PostgreSQL, as the gateway drives them (no API key in this app). */
describe('sessions: rotating refresh tokens, reuse detection, revocation', () => {
  let app: INestApplication;
  let db: DataSource;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    ({ app, db } = await startTestApp());
    http = request(app.getHttpServer());
  });
  afterAll(async () => app?.close());
  beforeEach(async () => truncateAll(db));

  const john = { email: 'john@example.com', name: 'John', password: 'SecurePass123!' };
  const asJohn = (userId: string, sessionId?: string) => ({ 'x-user-id': userId, 'x-user-roles': 'user', ...(sessionId ? { 'x-session-id': sessionId } : {}) });
  const login = async (client = { userAgent: 'agent/1', ip: '10.0.0.1' }) =>
    (await http.post('/auth/login').send({ email: john.email, password: john.password, ...client }).expect(200)).body as {
      sessionId: string;
      refreshToken: string;
      refreshExpiresAt: string;
      user: { id: string; role: string };
    };
  const status = async (sessionId: string) => (await http.get(`/auth/sessions/${sessionId}/status`).expect(200)).body;

  it('a login opens a session with a refresh token stored only as its SHA-256 digest', async () => {
    await http.post('/users').send(john).expect(201);
    const session = await login();

    expect(session.refreshToken).toMatch(/^[\w-]{43}$/);
    expect(new Date(session.refreshExpiresAt).getTime() - Date.now()).toBeGreaterThan(29 * 86400 * 1000);
    const rows = await db.query('SELECT token_hash, session_id FROM refresh_tokens');
    expect(rows).toEqual([{ token_hash: digestOf(session.refreshToken), session_id: session.sessionId }]);
    expect(JSON.stringify(await db.query('SELECT * FROM refresh_tokens, sessions'))).not.toContain(session.refreshToken);
    expect(await db.query('SELECT user_agent, ip FROM sessions')).toEqual([{ user_agent: 'agent/1', ip: '10.0.0.1' }]);
    expect(await status(session.sessionId)).toEqual({ active: true, userId: session.user.id, role: 'user' });
  });

  it('a refresh spends the token and hands out the next; the spent one, presented again, ends the whole session', async () => {
    await http.post('/users').send(john).expect(201);
    const first = await login();

    const second = (await http.post('/auth/refresh').send({ refreshToken: first.refreshToken }).expect(200)).body;
    expect(second).toMatchObject({ sessionId: first.sessionId, user: { id: first.user.id } });
    expect(second.refreshToken).not.toBe(first.refreshToken);

    const reuse = await http.post('/auth/refresh').send({ refreshToken: first.refreshToken }).expect(401);
    expect(reuse.body.message).toBe('invalid or expired refresh token: log in again');
    // The family is revoked: the thief's copy and the owner's newer token alike.
    await http.post('/auth/refresh').send({ refreshToken: second.refreshToken }).expect(401);
    expect(await status(first.sessionId)).toEqual({ active: false });
    expect(await db.query('SELECT end_reason FROM sessions')).toEqual([{ end_reason: 'refresh_token_reuse' }]);
  });

  it('refuses an unknown and an expired refresh token with the same 401', async () => {
    await http.post('/users').send(john).expect(201);
    const session = await login();
    await db.query("UPDATE refresh_tokens SET expires_at = now() - interval '1 second'");

    const expired = await http.post('/auth/refresh').send({ refreshToken: session.refreshToken }).expect(401);
    const unknown = await http.post('/auth/refresh').send({ refreshToken: 'x'.repeat(43) }).expect(401);
    expect(expired.body.message).toBe(unknown.body.message);
  });

  it('lists and ends only the caller\'s own sessions; an ended one refreshes no more', async () => {
    const user = (await http.post('/users').send(john).expect(201)).body;
    const a = await login();
    const b = await login({ userAgent: 'agent/2', ip: '10.0.0.2' });
    const other = (await http.post('/users').send({ ...john, email: 'ann@example.com' }).expect(201)).body;

    const mine = (await http.get('/auth/sessions').set(asJohn(user.id)).expect(200)).body;
    expect(mine.map((s: { id: string }) => s.id).sort()).toEqual([a.sessionId, b.sessionId].sort());
    expect(JSON.stringify(mine)).not.toMatch(/refresh|token/i);
    expect((await http.get('/auth/sessions').set(asJohn(other.id)).expect(200)).body).toEqual([]);

    await http.delete(`/auth/sessions/${a.sessionId}`).set(asJohn(other.id)).expect(404);
    await http.delete(`/auth/sessions/${a.sessionId}`).set(asJohn(user.id)).expect(204);
    await http.delete(`/auth/sessions/${a.sessionId}`).set(asJohn(user.id)).expect(204);
    await http.post('/auth/refresh').send({ refreshToken: a.refreshToken }).expect(401);
    expect(await status(a.sessionId)).toEqual({ active: false });
    expect(await status(b.sessionId)).toMatchObject({ active: true });
  });

  it('a password change ends every other session of the user and keeps the one it came from', async () => {
    const user = (await http.post('/users').send(john).expect(201)).body;
    const current = await login();
    const other = await login();

    await http.put(`/users/${user.id}`).set(asJohn(user.id, current.sessionId)).send({ password: 'NewSecure123!' }).expect(200);

    expect(await status(current.sessionId)).toMatchObject({ active: true });
    expect(await status(other.sessionId)).toEqual({ active: false });
    await http.post('/auth/refresh').send({ refreshToken: other.refreshToken }).expect(401);
    // A rename is not a password change: nothing ends.
    await http.put(`/users/${user.id}`).set(asJohn(user.id, current.sessionId)).send({ name: 'Johnny' }).expect(200);
    expect(await status(current.sessionId)).toMatchObject({ active: true });
  });

  it('deleting the user ends their sessions (their rows go with them)', async () => {
    const user = (await http.post('/users').send(john).expect(201)).body;
    const session = await login();
    await http.delete(`/users/${user.id}`).expect(204);
    expect(await status(session.sessionId)).toEqual({ active: false });
    expect(await db.query('SELECT count(*)::int AS n FROM refresh_tokens')).toEqual([{ n: 0 }]);
  });

  it('reports the role the user has now, for the gateway to use instead of the token\'s', async () => {
    await http.post('/users').send(john).expect(201);
    const session = await login();
    await db.query("UPDATE users SET role = 'admin'");
    expect(await status(session.sessionId)).toMatchObject({ active: true, role: 'admin' });
  });
});
