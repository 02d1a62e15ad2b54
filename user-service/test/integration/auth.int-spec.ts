import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AdminSeeder } from '../../src/admin/admin-seeder';
import { UsersService } from '../../src/users/users.service';
import { eventually, startTestApp, truncateAll, watchTopic } from './test-app';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe('credentials and the first admin, on real PostgreSQL', () => {
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

  describe('POST /auth/verify', () => {
    it('answers the user (never the hash) for the right pair, whatever the email casing', async () => {
      const created = (await http.post('/users').send(john).expect(201)).body;

      const res = await http.post('/auth/verify').send({ email: 'JOHN@example.com', password: 'SecurePass123!' }).expect(200);

      expect(res.body).toEqual(created);
      expect(JSON.stringify(res.body)).not.toMatch(/argon2|SecurePass/);
    });

    it('answers the same 401 for a wrong password and for an unknown email', async () => {
      await http.post('/users').send(john).expect(201);

      const wrong = await http.post('/auth/verify').send({ email: john.email, password: 'WrongPass123!' }).expect(401);
      const unknown = await http.post('/auth/verify').send({ email: 'nobody@example.com', password: 'WrongPass123!' }).expect(401);

      const shape = (b: Record<string, unknown>) => ({ ...b, requestId: undefined });
      expect(shape(wrong.body)).toEqual(shape(unknown.body));
      expect(wrong.body).toMatchObject({ statusCode: 401, message: 'invalid email or password', error: 'Unauthorized' });
    });

    it('takes about as long for an unknown email as for a known one with a wrong password (no enumeration by timing)', async () => {
      await http.post('/users').send(john).expect(201);
      const time = async (email: string) => {
        const t0 = process.hrtime.bigint();
        await http.post('/auth/verify').send({ email, password: 'WrongPass123!' }).expect(401);
        return Number(process.hrtime.bigint() - t0) / 1e6;
      };
      await time(john.email); // warm-up
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 15; i++) {
        known.push(await time(john.email));
        unknown.push(await time(`nobody-${i}@example.com`));
      }
      const [k, u] = [median(known), median(unknown)];
      // eslint-disable-next-line no-console
      console.log(`verify timing, median of 15: known email ${k.toFixed(1)} ms, unknown email ${u.toFixed(1)} ms`);
      // Without the dummy hash an unknown email would answer in a few ms against 20+ ms for a known
      // one: a factor of 5 and more. The bounds leave room for a busy machine, not for that.
      expect(u).toBeGreaterThan(k * 0.5);
      expect(u).toBeLessThan(k * 2);
    });

    it('refuses a malformed body with 400, not 500', async () => {
      await http.post('/auth/verify').send({ email: 'john@example.com' }).expect(400);
      await http.post('/auth/verify').send({ email: 'john@example.com', password: 'x'.repeat(129) }).expect(400);
    });
  });

  describe('the first admin (UsersService.ensureAdmin, run by AdminSeeder)', () => {
    it('creates the admin once, with a user.created event; running again changes nothing', async () => {
      const created = await watchTopic('user.created');
      try {
        const sut = app.get(UsersService);

        expect(await sut.ensureAdmin('Root@Example.com', 'SecurePass123!')).toBe('created');
        expect(await sut.ensureAdmin('root@example.com', 'OtherPass123!')).toBe('unchanged');

        const rows = await db.query('SELECT id, email, role FROM users');
        expect(rows).toEqual([{ id: expect.any(String), email: 'root@example.com', role: 'admin' }]);
        // The first password stays: a restart with another ADMIN_PASSWORD does not reset it.
        await http.post('/auth/verify').send({ email: 'root@example.com', password: 'SecurePass123!' }).expect(200);
        await http.post('/auth/verify').send({ email: 'root@example.com', password: 'OtherPass123!' }).expect(401);
        const events = await eventually(() => created.messages.filter((m) => m.key === rows[0].id), (m) => m.length > 0);
        expect(events[0].value).toMatchObject({ type: 'UserCreated', data: { email: 'root@example.com', role: 'admin' } });
      } finally {
        await created.stop();
      }
    });

    it('promotes an existing user with that email', async () => {
      const user = (await http.post('/users').send(john).expect(201)).body;

      expect(await app.get(UsersService).ensureAdmin(john.email, 'SecurePass123!')).toBe('promoted');

      expect((await http.get(`/users/${user.id}`).expect(200)).body.role).toBe('admin');
    });

    it('does nothing without ADMIN_EMAIL / ADMIN_PASSWORD', async () => {
      expect(await app.get(AdminSeeder).seedFromConfig()).toBeUndefined();
      expect(await db.query('SELECT id FROM users')).toEqual([]);
    });
  });
});
